-- Migration 016: find a recommendation's rows by its id alone.
--
-- Why: RecordOutcome addresses an answer by recommendation_id only (the
-- contract carries no website_id there). The (website_id, request_id) index of
-- 007 cannot serve that lookup, so it would scan the log. ranking-service
-- resolves the website through this index first, then updates rows scoped by
-- (website_id, request_id) like every other query.
CREATE INDEX idx_recommendations_request_id ON recommendations(request_id);
