-- Migration 023: the interaction log — every accepted event about an item.
--
-- Why: item signals (popularity with decay, co-visitation, next item, bought
-- together, segment popularity, conversion rates) must come from what visitors
-- did, not only from what they did with recommendations already shown
-- (`recommendations`). profile-service appends each accepted TrackEvents event
-- that names an item, in the same transaction as the profile update, so
-- replays and all-or-nothing batches leave it exact.
--
-- Partitioned by month of occurred_at (declarative partitioning): partitions
-- are created by profile-service ahead of time and for the months a batch
-- needs (interaction-partitions.ts; named interactions_pYYYYMM), and whole
-- partitions are dropped at INTERACTION_RETENTION_DAYS — no row-by-row
-- deletes. The primary key leads with (website_id, occurred_at): the one index,
-- serving the per-website time-range reads of the signal jobs.
-- No foreign key to website (like 017's bookkeeping): the website-deletion
-- trigger removes a website's rows.

CREATE TABLE interactions (
    website_id UUID NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    event_id VARCHAR(128) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    session_id UUID NOT NULL,
    item_id VARCHAR(255) NOT NULL,
    kind VARCHAR(20) NOT NULL CHECK (kind IN ('product_view', 'item_view', 'add_to_cart', 'purchase')),
    device VARCHAR(20) CHECK (device IN ('mobile', 'tablet', 'desktop')),
    category VARCHAR(255),
    price DECIMAL(19, 4),
    revenue DECIMAL(19, 4),
    order_id VARCHAR(255),
    CONSTRAINT interactions_pkey PRIMARY KEY (website_id, occurred_at, event_id)
) PARTITION BY RANGE (occurred_at);

COMMENT ON TABLE interactions IS 'Accepted events about an item (profile-service), partitioned by month, kept INTERACTION_RETENTION_DAYS';
COMMENT ON COLUMN interactions.event_id IS 'The TrackEvents event id (unique per website: dedupe)';
COMMENT ON COLUMN interactions.kind IS 'product_view (a product page view), item_view (seen, not a page view), add_to_cart, purchase';
COMMENT ON COLUMN interactions.revenue IS 'Purchase lines: the line revenue in the reporting currency';

CREATE OR REPLACE FUNCTION recsys_delete_profile_bookkeeping() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM profile_event_ids WHERE website_id = OLD.website_id;
    DELETE FROM profile_sessions WHERE website_id = OLD.website_id;
    DELETE FROM profile_affinities WHERE website_id = OLD.website_id;
    DELETE FROM profile_prices WHERE website_id = OLD.website_id;
    DELETE FROM profile_orders WHERE website_id = OLD.website_id;
    DELETE FROM profile_pending WHERE website_id = OLD.website_id;
    DELETE FROM interactions WHERE website_id = OLD.website_id;
    RETURN OLD;
END;
$$;
