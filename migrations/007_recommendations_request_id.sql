-- Migration 007: group logged recommendations by request; index for online metrics.
--
-- Why:
-- * request_id: one Recommend answer logs one row per shown item; the answer's
--   recommendation id is stored here so RecordOutcome (click / conversion) can
--   find the rows of that answer, and training can rebuild each ranked list.
--   NULL for rows logged before this migration.
-- * (website_id, shown_at): CTR / conversion dashboards and the trainer's
--   dataset read "this website's rows in a time window"; the seed only indexes
--   the two columns separately.
ALTER TABLE recommendations ADD COLUMN request_id UUID;

CREATE INDEX idx_recommendations_request ON recommendations(website_id, request_id);
CREATE INDEX idx_recommendations_website_shown_at ON recommendations(website_id, shown_at);

COMMENT ON COLUMN recommendations.request_id IS 'Groups the rows of one Recommend answer (its recommendation id)';
