-- Migration 001: a minimal Umami-compatible `website` table.
--
-- Why: every recommendation table references website(website_id). Inside a real
-- Umami (v2) database this table already exists and every statement below is a
-- no-op (IF NOT EXISTS); on a fresh database it gives the same shape Umami's
-- Prisma migrations produce (columns, types, constraint and index names), so a
-- database created here can later be pointed at by Umami and vice versa.
CREATE TABLE IF NOT EXISTS "website" (
    "website_id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "domain" VARCHAR(500),
    "share_id" VARCHAR(50),
    "reset_at" TIMESTAMPTZ(6),
    "user_id" UUID,
    "team_id" UUID,
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(6) DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6),
    "deleted_at" TIMESTAMPTZ(6),

    CONSTRAINT "website_pkey" PRIMARY KEY ("website_id")
);

-- Umami's Prisma schema declares the id both @id and @unique, hence the
-- redundant unique index; kept so the two schemas stay identical.
CREATE UNIQUE INDEX IF NOT EXISTS "website_website_id_key" ON "website"("website_id");
CREATE UNIQUE INDEX IF NOT EXISTS "website_share_id_key" ON "website"("share_id");
CREATE INDEX IF NOT EXISTS "website_user_id_idx" ON "website"("user_id");
CREATE INDEX IF NOT EXISTS "website_team_id_idx" ON "website"("team_id");
CREATE INDEX IF NOT EXISTS "website_created_at_idx" ON "website"("created_at");
CREATE INDEX IF NOT EXISTS "website_share_id_idx" ON "website"("share_id");
CREATE INDEX IF NOT EXISTS "website_created_by_idx" ON "website"("created_by");
