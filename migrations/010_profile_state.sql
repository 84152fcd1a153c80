-- Migration 010: the bookkeeping profile-service needs to keep profiles exact.
--
-- Why: user_profiles holds the answers (averages, rates, favourites), but most
-- of them cannot be updated incrementally and exactly from the answers alone:
-- * a replayed event must not count twice -> remember accepted event ids
--   (profile_event_ids, purged after EVENT_ID_RETENTION_DAYS >= 30 days);
-- * bounce rate, mean session duration, session count and device preference
--   are per-session facts; a session's bounds move when a late event arrives
--   -> one row per session (profile_sessions);
-- * favourites are top-k of weighted scores over every category / item /
--   brand ever touched -> one row per (kind, value) (profile_affinities);
-- * price sensitivity compares medians, which are not incremental -> price
--   observations with their multiplicity (profile_prices);
-- * total_purchases counts distinct order ids -> the ids seen (profile_orders);
-- * mean time on page / scroll depth and the funnel need sums and counts
--   -> extra counter columns on user_profiles.
-- Every table is keyed by website first: every query is scoped by website.
-- A user's rows are erased with the profile (DeleteProfile).

ALTER TABLE user_profiles
    ADD COLUMN product_view_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN add_to_cart_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN time_on_page_sum BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN time_on_page_count INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN scroll_depth_sum BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN scroll_depth_count INTEGER NOT NULL DEFAULT 0;

-- ListProfiles: one website's profiles by last visit.
CREATE INDEX idx_user_profiles_website_last_visit ON user_profiles(website_id, last_visit);

CREATE TABLE profile_event_ids (
    website_id UUID NOT NULL,
    event_id VARCHAR(128) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT profile_event_ids_pkey PRIMARY KEY (website_id, event_id),
    CONSTRAINT fk_profile_event_ids_website
        FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE
);
-- Erasure of one user; retention purge.
CREATE INDEX idx_profile_event_ids_user ON profile_event_ids(website_id, user_id);
CREATE INDEX idx_profile_event_ids_received_at ON profile_event_ids(website_id, received_at);
COMMENT ON TABLE profile_event_ids IS 'Accepted TrackEvents event ids (dedupe), kept for EVENT_ID_RETENTION_DAYS';

CREATE TABLE profile_sessions (
    website_id UUID NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    session_id UUID NOT NULL,
    first_at TIMESTAMPTZ NOT NULL,
    last_at TIMESTAMPTZ NOT NULL,
    page_views INTEGER NOT NULL,
    other_events INTEGER NOT NULL,
    device VARCHAR(20),
    device_at TIMESTAMPTZ,
    CONSTRAINT profile_sessions_pkey PRIMARY KEY (website_id, user_id, session_id),
    CONSTRAINT fk_profile_sessions_website
        FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE,
    CONSTRAINT profile_sessions_device_check CHECK (device IN ('mobile', 'tablet', 'desktop'))
);
COMMENT ON TABLE profile_sessions IS 'Per-session facts of a profile: bounds, page views, other events, device';

CREATE TABLE profile_affinities (
    website_id UUID NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    kind VARCHAR(10) NOT NULL,
    value VARCHAR(255) NOT NULL,
    weight INTEGER NOT NULL,
    last_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT profile_affinities_pkey PRIMARY KEY (website_id, user_id, kind, value),
    CONSTRAINT fk_profile_affinities_website
        FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE,
    CONSTRAINT profile_affinities_kind_check CHECK (kind IN ('category', 'product', 'brand'))
);
COMMENT ON TABLE profile_affinities IS 'Interaction weight per category, product and brand of a profile (favourites)';

CREATE TABLE profile_prices (
    website_id UUID NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    price NUMERIC(19, 4) NOT NULL,
    observations INTEGER NOT NULL,
    CONSTRAINT profile_prices_pkey PRIMARY KEY (website_id, user_id, price),
    CONSTRAINT fk_profile_prices_website
        FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE
);
COMMENT ON TABLE profile_prices IS 'Prices of the items a profile viewed, carted or bought, with multiplicity';

CREATE TABLE profile_orders (
    website_id UUID NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    order_id VARCHAR(255) NOT NULL,
    CONSTRAINT profile_orders_pkey PRIMARY KEY (website_id, user_id, order_id),
    CONSTRAINT fk_profile_orders_website
        FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE
);
COMMENT ON TABLE profile_orders IS 'Distinct order ids of a profile (total_purchases)';
