-- Migration 006: the item catalog, owned by ranking-service.
--
-- Why: ranking needs item data (category, brand, price, attributes) to generate
-- candidates, apply filters and compute item.* / match.* features. Callers push
-- it with UpsertItems; item ids are the site's own ids (the same strings that
-- appear in recommendations.item_id), unique within one website.
CREATE TABLE catalog_items (
    website_id UUID NOT NULL,
    item_id VARCHAR(255) NOT NULL,
    item_type VARCHAR(50),
    title TEXT,
    category VARCHAR(255),
    brand VARCHAR(255),
    price NUMERIC(19, 4),
    tags JSONB,
    attributes JSONB,
    in_stock BOOLEAN NOT NULL DEFAULT TRUE,
    published_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT catalog_items_pkey PRIMARY KEY (website_id, item_id),
    CONSTRAINT fk_catalog_items_website
        FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE,
    CONSTRAINT catalog_items_price_check CHECK (price >= 0)
);

-- Candidate generation and filters select "items of this category on this site".
CREATE INDEX idx_catalog_items_category ON catalog_items(website_id, category);

COMMENT ON TABLE catalog_items IS 'Item catalog per website, owned by ranking-service';
COMMENT ON COLUMN catalog_items.tags IS 'JSONB array of tag strings';
COMMENT ON COLUMN catalog_items.attributes IS 'JSONB object of free-form item attributes';
