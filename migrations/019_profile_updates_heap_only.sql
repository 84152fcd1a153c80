-- Migration 019: TrackEvents' update of a profile touches no indexed column,
-- so it can be heap-only (HOT).
--
-- Why: every batch rewrote each touched profile row and, because it moved
-- last_visit (two indexes) and derived_version (the predicate of the partial
-- index idx_user_profiles_derived_pending), added a new entry to all seven
-- indexes of user_profiles. Index maintenance was the largest cost of a
-- batch (bench:profiles, BENCHMARKS.md). Now:
-- * last_seen_at (not indexed) holds the newest event time and is what every
--   batch moves; last_visit (indexed: ListProfiles, the seed's index) follows
--   it when the profile is settled: by the settle job, and by ListProfiles for
--   the website it lists before it reads, so answers never lag. Reads return
--   GREATEST(last_visit, last_seen_at) as last_visit.
-- * profile_pending lists the profiles a batch changed since they were last
--   settled (derived fields and last_visit); it replaces the partial index,
--   so bumping derived_version no longer touches an index. A batch inserts
--   its users after locking their rows; the settle job deletes them with the
--   rows locked, so an entry is never lost between the two.
-- * fillfactor 70 leaves room on each page for the new row versions.
ALTER TABLE user_profiles ADD COLUMN last_seen_at TIMESTAMPTZ;
UPDATE user_profiles SET last_seen_at = last_visit;
ALTER TABLE user_profiles SET (fillfactor = 70);
COMMENT ON COLUMN user_profiles.last_seen_at IS 'Newest event time; last_visit follows it when the profile is settled';

CREATE TABLE profile_pending (
    website_id UUID NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    CONSTRAINT profile_pending_pkey PRIMARY KEY (website_id, user_id)
);
COMMENT ON TABLE profile_pending IS 'Profiles changed by TrackEvents since they were last settled (derived fields, last_visit)';

INSERT INTO profile_pending (website_id, user_id)
    SELECT website_id, user_id FROM user_profiles WHERE derived_version <> derived_settled;
DROP INDEX idx_user_profiles_derived_pending;

CREATE OR REPLACE FUNCTION recsys_delete_profile_bookkeeping() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM profile_event_ids WHERE website_id = OLD.website_id;
    DELETE FROM profile_sessions WHERE website_id = OLD.website_id;
    DELETE FROM profile_affinities WHERE website_id = OLD.website_id;
    DELETE FROM profile_prices WHERE website_id = OLD.website_id;
    DELETE FROM profile_orders WHERE website_id = OLD.website_id;
    DELETE FROM profile_pending WHERE website_id = OLD.website_id;
    RETURN OLD;
END;
$$;
