-- Migration 015: keep the model's own score in the log; find a session's rows fast.
--
-- Why:
-- * score: the seed's DECIMAL(5,4) holds at most 9.9999 with 4 digits. Ranking
--   models output logits, margins or tree sums of any magnitude; squeezing them
--   into 0..9.9999 would lose the ordering information training needs (and a
--   larger value would make the whole batched INSERT fail). The log stores the
--   score exactly as answered to the caller, as double precision.
-- * (website_id, session_id): RecordOutcome by session ("every row of item_id
--   shown in the session") and co-visitation read a website's session rows;
--   the seed only indexes session_id alone, across websites.
ALTER TABLE recommendations ALTER COLUMN score TYPE DOUBLE PRECISION;

CREATE INDEX idx_recommendations_website_session ON recommendations(website_id, session_id);

COMMENT ON COLUMN recommendations.score IS 'Ranking score as answered (model output, or heuristic score 0..1)';
