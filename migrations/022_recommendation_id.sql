-- Migration 022: one name for the id of a Recommend answer.
--
-- Why: the contract calls it `recommendation_id` (RecommendResponse,
-- RecordOutcomeRequest); the log's column, added by 007, was `request_id`.
-- SQL users, the trainer and the code now say `recommendation_id` everywhere.
-- A rename keeps the data and the index; only the names change.

ALTER TABLE recommendations RENAME COLUMN request_id TO recommendation_id;
ALTER INDEX idx_recommendations_request_id RENAME TO idx_recommendations_recommendation_id;
COMMENT ON COLUMN recommendations.recommendation_id IS 'Groups the rows of one Recommend answer: the recommendation_id it answered with';
