-- Migration 001: the `website` table every Recsys table references, created
-- only when the database has none.
--
-- Why: inside an Umami database (2.x, 3.0, 3.1, ...) Umami owns `website`
-- and this migration must change nothing of it: Umami's own migrations
-- rename, drop and add its columns and indexes (3.1 dropped `share_id` and
-- its two indexes, added `replay_enabled` / `replay_config`; 3.1 also
-- dropped the redundant `website_website_id_key`). So nothing here names a
-- column beyond the few Recsys uses in every Umami version: `website_id`
-- (the key every Recsys table references), `name`, `domain` (copied by
-- UpsertWebsites when Recsys has a database of its own) and `deleted_at`
-- (Umami's soft delete, honoured by every service). On a database without
-- Umami the table gets exactly those columns.
--
-- This file replaced a first version (checksum below) that created Umami
-- 2.x's full `website` shape with `IF NOT EXISTS` indexes on `share_id`,
-- which fails inside Umami 3.1. Databases that applied the first version
-- keep its table (a superset of this one); the migrator accepts either
-- checksum for this file (docs/schema.md, "Replaced migrations").
-- recsys:replaces-checksum 76a254165d7abb1eddbb1b8372b95d3bd78b144fe16d6dbe6173689505e74199
DO $$
BEGIN
    IF to_regclass('website') IS NULL THEN
        CREATE TABLE website (
            website_id UUID NOT NULL,
            name VARCHAR(100) NOT NULL,
            domain VARCHAR(500),
            created_at TIMESTAMPTZ(6) DEFAULT CURRENT_TIMESTAMP,
            updated_at TIMESTAMPTZ(6),
            deleted_at TIMESTAMPTZ(6),
            CONSTRAINT website_pkey PRIMARY KEY (website_id)
        );
        COMMENT ON TABLE website IS
            'Created by Recsys (migration 001) because the database had no Umami website table';
    END IF;
END
$$;
