-- Migration 020: drop idx_recommendations_website and idx_recommendations_request.
--
-- Why: every shown item Recommend logs is a row of recommendations, and every
-- row pays for every index (11 before this; a 500-row batch cost PostgreSQL
-- 13.5-14.7 ms, BENCHMARKS.md). These two serve nothing another index does not
-- serve as well:
-- - idx_recommendations_website (website_id, seed 002) is a leading prefix of
--   idx_recommendations_website_shown_at (website_id, shown_at) from 007, which
--   serves every query the smaller one could (as 012 argued for user_profiles);
-- - idx_recommendations_request (website_id, request_id, 007) is served by
--   idx_recommendations_request_id (request_id, 016): a request id is a UUID
--   naming one answer's few rows, so the website_id condition only filters them.
-- The seed's other unscoped indexes (session_id, user_id, item_id, shown_at,
-- (clicked, converted)) stay: readers outside this project may use them, and
-- user_id serves profile-service's deletion of a user's rows.
DROP INDEX IF EXISTS idx_recommendations_website;
DROP INDEX IF EXISTS idx_recommendations_request;
