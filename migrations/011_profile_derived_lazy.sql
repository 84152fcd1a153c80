-- Migration 011: profile fields derived from the bookkeeping are settled lazily.
--
-- Why: recomputing session statistics, device preference, favourites and price
-- sensitivity for every touched profile inside TrackEvents was about half of
-- its time. A batch now only updates the additive counters and bumps
-- derived_version; the derived columns are recomputed from the bookkeeping by
-- GetProfile / ListProfiles for the stale profiles they return (exact,
-- read-your-writes) and written back by a background job, which sets
-- derived_settled to the version it computed. A profile is stale while
-- derived_version <> derived_settled.

ALTER TABLE user_profiles
    ADD COLUMN derived_version BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN derived_settled BIGINT NOT NULL DEFAULT 0;

-- The background job: one website's stale profiles.
CREATE INDEX idx_user_profiles_derived_pending ON user_profiles(website_id, user_id)
    WHERE derived_version <> derived_settled;
