-- Migration 012: drop idx_user_profiles_website_id.
--
-- Why: it indexes (website_id), a leading prefix of the unique index
-- user_profiles_website_id_user_id_key (website_id, user_id) from migration
-- 003, which serves every query the smaller one could (equality or range on
-- website_id, with the same ordering) at the same cost. It was only paid for:
-- every user_profiles write that cannot be HOT (TrackEvents moves last_visit)
-- maintained it.
DROP INDEX IF EXISTS idx_user_profiles_website_id;
