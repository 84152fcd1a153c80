-- Umami v3.0.3 for PostgreSQL, as its Prisma migrations leave the tables Recsys
-- reads or references: website, session, website_event, event_data, session_data, revenue, link, pixel. Written for Recsys's tests from Umami's migrations
-- prisma/migrations/01_init … 14_add_link_and_pixel at tag v3.0.3 (commit 2a71cc721bf99874fa773e681ea14e9bf826da1e): each table's final columns, keys and index names
-- after every migration up to that tag, in PostgreSQL's own spelling. Checked
-- by applying those migrations to an empty database and comparing its
-- schema with this file's (pg_dump --schema-only): same columns, types,
-- defaults, keys and indexes for these tables. Umami's other tables (user,
-- team, report, segment, ...) are left out: Recsys never reads or touches them.
-- Test fixture only: Recsys never creates these tables.

CREATE TABLE website (
    website_id uuid NOT NULL,
    name character varying(100) NOT NULL,
    domain character varying(500),
    share_id character varying(50),
    reset_at timestamp(6) with time zone,
    user_id uuid,
    created_at timestamp(6) with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp(6) with time zone,
    deleted_at timestamp(6) with time zone,
    created_by uuid,
    team_id uuid,
    CONSTRAINT website_pkey PRIMARY KEY (website_id)
);
CREATE INDEX website_created_at_idx ON website (created_at);
CREATE INDEX website_created_by_idx ON website (created_by);
CREATE INDEX website_share_id_idx ON website (share_id);
CREATE UNIQUE INDEX website_share_id_key ON website (share_id);
CREATE INDEX website_team_id_idx ON website (team_id);
CREATE INDEX website_user_id_idx ON website (user_id);
CREATE UNIQUE INDEX website_website_id_key ON website (website_id);

CREATE TABLE session (
    session_id uuid NOT NULL,
    website_id uuid NOT NULL,
    browser character varying(20),
    os character varying(20),
    device character varying(20),
    screen character varying(11),
    language character varying(35),
    country character(2),
    region character varying(20),
    city character varying(50),
    created_at timestamp(6) with time zone DEFAULT CURRENT_TIMESTAMP,
    distinct_id character varying(50),
    CONSTRAINT session_pkey PRIMARY KEY (session_id)
);
CREATE INDEX session_created_at_idx ON session (created_at);
CREATE UNIQUE INDEX session_session_id_key ON session (session_id);
CREATE INDEX session_website_id_created_at_browser_idx ON session (website_id, created_at, browser);
CREATE INDEX session_website_id_created_at_city_idx ON session (website_id, created_at, city);
CREATE INDEX session_website_id_created_at_country_idx ON session (website_id, created_at, country);
CREATE INDEX session_website_id_created_at_device_idx ON session (website_id, created_at, device);
CREATE INDEX session_website_id_created_at_idx ON session (website_id, created_at);
CREATE INDEX session_website_id_created_at_language_idx ON session (website_id, created_at, language);
CREATE INDEX session_website_id_created_at_os_idx ON session (website_id, created_at, os);
CREATE INDEX session_website_id_created_at_region_idx ON session (website_id, created_at, region);
CREATE INDEX session_website_id_created_at_screen_idx ON session (website_id, created_at, screen);
CREATE INDEX session_website_id_idx ON session (website_id);

CREATE TABLE website_event (
    event_id uuid NOT NULL,
    website_id uuid NOT NULL,
    session_id uuid NOT NULL,
    created_at timestamp(6) with time zone DEFAULT CURRENT_TIMESTAMP,
    url_path character varying(500) NOT NULL,
    url_query character varying(500),
    referrer_path character varying(500),
    referrer_query character varying(500),
    referrer_domain character varying(500),
    page_title character varying(500),
    event_type integer DEFAULT 1 NOT NULL,
    event_name character varying(50),
    visit_id uuid NOT NULL,
    tag character varying(50),
    fbclid character varying(255),
    gclid character varying(255),
    li_fat_id character varying(255),
    msclkid character varying(255),
    ttclid character varying(255),
    twclid character varying(255),
    utm_campaign character varying(255),
    utm_content character varying(255),
    utm_medium character varying(255),
    utm_source character varying(255),
    utm_term character varying(255),
    hostname character varying(100),
    CONSTRAINT website_event_pkey PRIMARY KEY (event_id)
);
CREATE INDEX website_event_created_at_idx ON website_event (created_at);
CREATE INDEX website_event_session_id_idx ON website_event (session_id);
CREATE INDEX website_event_visit_id_idx ON website_event (visit_id);
CREATE INDEX website_event_website_id_created_at_event_name_idx ON website_event (website_id, created_at, event_name);
CREATE INDEX website_event_website_id_created_at_hostname_idx ON website_event (website_id, created_at, hostname);
CREATE INDEX website_event_website_id_created_at_idx ON website_event (website_id, created_at);
CREATE INDEX website_event_website_id_created_at_page_title_idx ON website_event (website_id, created_at, page_title);
CREATE INDEX website_event_website_id_created_at_referrer_domain_idx ON website_event (website_id, created_at, referrer_domain);
CREATE INDEX website_event_website_id_created_at_tag_idx ON website_event (website_id, created_at, tag);
CREATE INDEX website_event_website_id_created_at_url_path_idx ON website_event (website_id, created_at, url_path);
CREATE INDEX website_event_website_id_created_at_url_query_idx ON website_event (website_id, created_at, url_query);
CREATE INDEX website_event_website_id_idx ON website_event (website_id);
CREATE INDEX website_event_website_id_session_id_created_at_idx ON website_event (website_id, session_id, created_at);
CREATE INDEX website_event_website_id_visit_id_created_at_idx ON website_event (website_id, visit_id, created_at);

CREATE TABLE event_data (
    event_data_id uuid NOT NULL,
    website_id uuid NOT NULL,
    website_event_id uuid NOT NULL,
    data_key character varying(500) NOT NULL,
    string_value character varying(500),
    number_value numeric(19,4),
    date_value timestamp(6) with time zone,
    data_type integer NOT NULL,
    created_at timestamp(6) with time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT event_data_pkey PRIMARY KEY (event_data_id)
);
CREATE INDEX event_data_created_at_idx ON event_data (created_at);
CREATE INDEX event_data_website_event_id_idx ON event_data (website_event_id);
CREATE INDEX event_data_website_id_created_at_data_key_idx ON event_data (website_id, created_at, data_key);
CREATE INDEX event_data_website_id_created_at_idx ON event_data (website_id, created_at);
CREATE INDEX event_data_website_id_idx ON event_data (website_id);

CREATE TABLE session_data (
    session_data_id uuid NOT NULL,
    website_id uuid NOT NULL,
    session_id uuid NOT NULL,
    data_key character varying(500) NOT NULL,
    string_value character varying(500),
    number_value numeric(19,4),
    date_value timestamp(6) with time zone,
    data_type integer NOT NULL,
    created_at timestamp(6) with time zone DEFAULT CURRENT_TIMESTAMP,
    distinct_id character varying(50),
    CONSTRAINT session_data_pkey PRIMARY KEY (session_data_id)
);
CREATE INDEX session_data_created_at_idx ON session_data (created_at);
CREATE INDEX session_data_session_id_created_at_idx ON session_data (session_id, created_at);
CREATE INDEX session_data_session_id_idx ON session_data (session_id);
CREATE INDEX session_data_website_id_created_at_data_key_idx ON session_data (website_id, created_at, data_key);
CREATE INDEX session_data_website_id_idx ON session_data (website_id);

CREATE TABLE revenue (
    revenue_id uuid NOT NULL,
    website_id uuid NOT NULL,
    session_id uuid NOT NULL,
    event_id uuid NOT NULL,
    event_name character varying(50) NOT NULL,
    currency character varying(10) NOT NULL,
    revenue numeric(19,4),
    created_at timestamp(6) with time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT revenue_pkey PRIMARY KEY (revenue_id)
);
CREATE UNIQUE INDEX revenue_revenue_id_key ON revenue (revenue_id);
CREATE INDEX revenue_session_id_idx ON revenue (session_id);
CREATE INDEX revenue_website_id_created_at_idx ON revenue (website_id, created_at);
CREATE INDEX revenue_website_id_idx ON revenue (website_id);
CREATE INDEX revenue_website_id_session_id_created_at_idx ON revenue (website_id, session_id, created_at);

CREATE TABLE link (
    link_id uuid NOT NULL,
    name character varying(100) NOT NULL,
    url character varying(500) NOT NULL,
    slug character varying(100) NOT NULL,
    user_id uuid,
    team_id uuid,
    created_at timestamp(6) with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp(6) with time zone,
    deleted_at timestamp(6) with time zone,
    CONSTRAINT link_pkey PRIMARY KEY (link_id)
);
CREATE INDEX link_created_at_idx ON link (created_at);
CREATE UNIQUE INDEX link_link_id_key ON link (link_id);
CREATE INDEX link_slug_idx ON link (slug);
CREATE UNIQUE INDEX link_slug_key ON link (slug);
CREATE INDEX link_team_id_idx ON link (team_id);
CREATE INDEX link_user_id_idx ON link (user_id);

CREATE TABLE pixel (
    pixel_id uuid NOT NULL,
    name character varying(100) NOT NULL,
    slug character varying(100) NOT NULL,
    user_id uuid,
    team_id uuid,
    created_at timestamp(6) with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp(6) with time zone,
    deleted_at timestamp(6) with time zone,
    CONSTRAINT pixel_pkey PRIMARY KEY (pixel_id)
);
CREATE INDEX pixel_created_at_idx ON pixel (created_at);
CREATE UNIQUE INDEX pixel_pixel_id_key ON pixel (pixel_id);
CREATE INDEX pixel_slug_idx ON pixel (slug);
CREATE UNIQUE INDEX pixel_slug_key ON pixel (slug);
CREATE INDEX pixel_team_id_idx ON pixel (team_id);
CREATE INDEX pixel_user_id_idx ON pixel (user_id);

