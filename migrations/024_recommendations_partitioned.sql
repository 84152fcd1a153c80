-- Migration 024: the recommendations log partitioned by day, with a retention
-- and daily aggregates that outlive it.
--
-- Why: Recommend logs ~10 rows per answer; at 1,000 answers/s that is 864
-- million rows a day. A table that size cannot be trimmed by DELETE (every
-- deleted row is a dead tuple for VACUUM and every index); whole days must be
-- dropped. ranking-service creates the day partitions ahead (named
-- recommendations_pYYYYMMDD, UTC) and, at RECOMMENDATION_RETENTION_DAYS (90 by
-- default), writes each expiring day into recommendation_daily_stats and drops
-- its partition in the same transaction (libs/db time-partitions.ts).
--
-- The conversion keeps every existing row where it is: the old table becomes
-- the first partition, recommendations_before_partitioning, covering everything
-- up to the end of tomorrow (UTC; or of the newest row's day, if later: so
-- writers and fixtures that insert directly have a day of slack before the
-- service has made the day partitions, which start where it ends), and is
-- dropped whole — after its rows are aggregated — once that end has passed the
-- retention. No row is copied. What it costs (docs/schema.md, measured):
-- the whole migration holds an ACCESS EXCLUSIVE lock on the log (writers wait;
-- ranking-service buffers and retries its writes meanwhile) while PostgreSQL
-- scans the old table twice (shown_at NOT NULL, the partition's range) and
-- builds two indexes on it (the key (id, shown_at), the partial user index):
-- 1.75 s per million rows on the 2-core development machine.
--
-- Shape changes, each for the cost of a logged row:
-- - the primary key is (id, shown_at): a partitioned table's unique keys must
--   contain the partition key; id alone stays unique (time-ordered UUIDs);
-- - shown_at is NOT NULL (a row must belong to a day); rows without one are
--   given their click or conversion time, or 1970-01-01 when they have neither;
-- - no foreign key to website: the check cost 4 µs of PostgreSQL CPU per
--   logged row; a trigger on website deletion removes the website's rows
--   instead (like 017 and 023 for profile-service's tables);
-- - idx_recommendations_user only covers rows with a user_id: anonymous rows
--   (most of a shop's traffic) skip it; erasure always names a user.

LOCK TABLE recommendations IN ACCESS EXCLUSIVE MODE;

UPDATE recommendations SET shown_at = COALESCE(clicked_at, converted_at, 'epoch') WHERE shown_at IS NULL;

ALTER TABLE recommendations RENAME TO recommendations_before_partitioning;
ALTER TABLE recommendations_before_partitioning DROP CONSTRAINT fk_recommendations_website;
ALTER TABLE recommendations_before_partitioning DROP CONSTRAINT recommendations_pkey;
DROP INDEX idx_recommendations_user;
ALTER INDEX idx_recommendations_session RENAME TO recommendations_before_partitioning_session_idx;
ALTER INDEX idx_recommendations_shown_at RENAME TO recommendations_before_partitioning_shown_at_idx;
ALTER INDEX idx_recommendations_website_shown_at RENAME TO recommendations_before_partitioning_website_shown_at_idx;
ALTER INDEX idx_recommendations_recommendation_id RENAME TO recommendations_before_partitioning_recommendation_id_idx;

CREATE TABLE recommendations (LIKE recommendations_before_partitioning INCLUDING DEFAULTS INCLUDING COMMENTS)
    PARTITION BY RANGE (shown_at);
ALTER TABLE recommendations ALTER COLUMN shown_at SET NOT NULL;
ALTER TABLE recommendations ADD CONSTRAINT recommendations_pkey PRIMARY KEY (id, shown_at);
CREATE INDEX idx_recommendations_session ON recommendations (session_id);
CREATE INDEX idx_recommendations_user ON recommendations (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX idx_recommendations_shown_at ON recommendations USING brin (shown_at);
CREATE INDEX idx_recommendations_website_shown_at ON recommendations (website_id, shown_at);
CREATE INDEX idx_recommendations_recommendation_id ON recommendations (recommendation_id);
COMMENT ON TABLE recommendations IS 'Historical recommendations for analysis and learning (partitioned by day of shown_at, kept RECOMMENDATION_RETENTION_DAYS; older days in recommendation_daily_stats)';

-- The old rows' partition ends after tomorrow (UTC), or after its newest row's day.
DO $$
DECLARE
    until timestamptz;
BEGIN
    SELECT greatest(date_trunc('day', now() AT TIME ZONE 'UTC') + interval '2 days',
                    date_trunc('day', max(shown_at) AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC'
      INTO until FROM recommendations_before_partitioning;
    ALTER TABLE recommendations_before_partitioning ALTER COLUMN shown_at SET NOT NULL;
    EXECUTE format('ALTER TABLE recommendations ATTACH PARTITION recommendations_before_partitioning FOR VALUES FROM (MINVALUE) TO (%L)', until);
END;
$$;

CREATE TABLE recommendation_daily_stats (
    website_id UUID NOT NULL,
    day DATE NOT NULL,
    model_version VARCHAR(50) NOT NULL,
    strategy VARCHAR(50) NOT NULL,
    recommendation_type VARCHAR(50) NOT NULL,
    shown BIGINT NOT NULL,
    clicks BIGINT NOT NULL,
    conversions BIGINT NOT NULL,
    revenue DECIMAL(19, 4) NOT NULL,
    CONSTRAINT recommendation_daily_stats_pkey PRIMARY KEY (website_id, day, model_version, strategy, recommendation_type)
);
COMMENT ON TABLE recommendation_daily_stats IS 'Per website and UTC day of shown_at: what the recommendations log counted, written when the day leaves the log (retention)';
COMMENT ON COLUMN recommendation_daily_stats.model_version IS 'recommendations.model_version; empty string for none';
COMMENT ON COLUMN recommendation_daily_stats.strategy IS 'recommendations.strategy; empty string for none';
COMMENT ON COLUMN recommendation_daily_stats.recommendation_type IS 'recommendations.recommendation_type; empty string for none';
COMMENT ON COLUMN recommendation_daily_stats.revenue IS 'Sum of revenue of converted rows';

CREATE OR REPLACE FUNCTION recsys_delete_recommendations() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM recommendations WHERE website_id = OLD.website_id;
    DELETE FROM recommendation_daily_stats WHERE website_id = OLD.website_id;
    RETURN OLD;
END;
$$;
COMMENT ON FUNCTION recsys_delete_recommendations() IS
    'ON DELETE CASCADE of website for the recommendations log and its daily aggregates (migration 024)';

CREATE TRIGGER website_delete_recommendations
    AFTER DELETE ON website
    FOR EACH ROW EXECUTE FUNCTION recsys_delete_recommendations();
