-- Migration 021: make each logged row cheaper to store; keep every lookup indexed.
--
-- Why: Recommend logs ~10 rows per answer, so at 1,000 answers/s PostgreSQL
-- inserts ~10,000 rows/s on the same machine that answers the calls, and each
-- row pays for every index of the table. Measured (BENCHMARKS.md, "log write
-- cost"): the same 500-row batches, alternating between two tables, cost
-- PostgreSQL 0.72-0.75x the CPU with the index set below. Every query of this
-- project, and profile-service's deletion, stays served by an index
-- (later-migrations.spec.ts checks each lookup's plan):
-- - idx_recommendations_outcome (clicked, converted): two booleans; no query can
--   use it selectively (ours read outcomes per website and time range), and
--   because RecordOutcome changes both columns, no click or conversion could
--   ever be a heap-only update.
-- - idx_recommendations_item (item_id): item ids are per website (catalog_items
--   is keyed by (website_id, item_id)), so this index mixes websites; every
--   per-item query reads a website's time range through
--   idx_recommendations_website_shown_at.
-- - idx_recommendations_website_session (website_id, session_id, 015): the
--   seed's idx_recommendations_session serves the same lookups (RecordOutcome
--   by session), because a session id is a UUID naming one session of one
--   website; the website condition only filters that session's few rows.
--   The seed's index stays, for readers who look up a session without its website.
-- - idx_recommendations_shown_at becomes a BRIN index (same name): rows are
--   appended in shown_at order, so block-range summaries still find a time
--   range across websites (retention deletes, exports) while costing a write
--   only once per 128 pages instead of a B-tree insert per row.
DROP INDEX IF EXISTS idx_recommendations_outcome;
DROP INDEX IF EXISTS idx_recommendations_item;
DROP INDEX IF EXISTS idx_recommendations_website_session;
DROP INDEX IF EXISTS idx_recommendations_shown_at;
CREATE INDEX idx_recommendations_shown_at ON recommendations USING brin (shown_at);
