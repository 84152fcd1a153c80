-- Migration 003: a profile is unique per (website_id, user_id), not per user_id.
--
-- Why: the seed declares user_profiles.user_id UNIQUE across the whole table,
-- but user ids (an Umami session id or the site's own login id) only identify a
-- visitor within one website: two shops in one database may both have user
-- "42", and the second one's profile could not be stored. profile-service
-- upserts ON CONFLICT (website_id, user_id), which needs this constraint.
-- idx_user_profiles_user_id (seed) stays: lookups by user_id alone still use it.
ALTER TABLE user_profiles DROP CONSTRAINT user_profiles_user_id_key;
ALTER TABLE user_profiles
    ADD CONSTRAINT user_profiles_website_id_user_id_key UNIQUE (website_id, user_id);
