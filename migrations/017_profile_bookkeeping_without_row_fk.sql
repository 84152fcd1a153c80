-- Migration 017: the bookkeeping tables of 010 lose their per-row foreign key
-- to website; a trigger on website keeps ON DELETE CASCADE's effect.
--
-- Why: a foreign key is checked by a trigger per inserted row, and each check
-- locks the website row FOR KEY SHARE. A TrackEvents batch of 1,000 events
-- writes ~3,600 bookkeeping rows of one website, so the checks were a fifth
-- of PostgreSQL's time per batch (bench:profiles: 19.4k -> 24.3k events/s on
-- the same machine, BENCHMARKS.md). profile-service takes that lock once per
-- batch instead (SELECT ... FOR KEY SHARE on the website row at the start of
-- the transaction): a concurrent DELETE of the website waits for the batch
-- to commit, then its trigger removes the batch's rows too, exactly like the
-- cascade did; a batch after the delete finds no website (NOT_FOUND).
-- user_profiles keeps the seed's foreign key.

ALTER TABLE profile_event_ids DROP CONSTRAINT fk_profile_event_ids_website;
ALTER TABLE profile_sessions DROP CONSTRAINT fk_profile_sessions_website;
ALTER TABLE profile_affinities DROP CONSTRAINT fk_profile_affinities_website;
ALTER TABLE profile_prices DROP CONSTRAINT fk_profile_prices_website;
ALTER TABLE profile_orders DROP CONSTRAINT fk_profile_orders_website;

CREATE FUNCTION recsys_delete_profile_bookkeeping() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM profile_event_ids WHERE website_id = OLD.website_id;
    DELETE FROM profile_sessions WHERE website_id = OLD.website_id;
    DELETE FROM profile_affinities WHERE website_id = OLD.website_id;
    DELETE FROM profile_prices WHERE website_id = OLD.website_id;
    DELETE FROM profile_orders WHERE website_id = OLD.website_id;
    RETURN OLD;
END;
$$;
COMMENT ON FUNCTION recsys_delete_profile_bookkeeping() IS
    'ON DELETE CASCADE of website for profile-service bookkeeping (migration 017)';

CREATE TRIGGER website_delete_profile_bookkeeping
    AFTER DELETE ON website
    FOR EACH ROW EXECUTE FUNCTION recsys_delete_profile_bookkeeping();
