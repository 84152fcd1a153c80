-- Migration 025: the interaction log keeps the event's brand.
--
-- Why: the profile's preferred brands come from the brand each event names
-- (profile_affinities), and the trainer rebuilds the profile as of each
-- example's time from the interaction log; without the brand there, the
-- match.brand_preferred feature could not be trained (docs/learning.md).
-- A nullable column without a default: on the partitioned table and its
-- partitions this changes the catalog only (no rewrite, a brief ACCESS
-- EXCLUSIVE lock); rows written before it have no brand.

ALTER TABLE interactions ADD COLUMN brand VARCHAR(255);

COMMENT ON COLUMN interactions.brand IS 'The brand the event named (the profile''s preferred brands come from it); NULL before migration 025';
