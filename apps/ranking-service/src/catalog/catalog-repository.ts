import type { Pool } from 'pg';

/** The catalog's item kinds as stored in catalog_items.item_type (and recommendations.recommendation_type). */
export type ItemKind = 'product' | 'content' | 'offer';

/** One catalog row, as ranking uses it. */
export interface CatalogRow {
  itemId: string;
  kind: ItemKind;
  title: string | null;
  category: string | null;
  brand: string | null;
  /** Exact decimal string with 4 fraction digits, or null. */
  price: string | null;
  tags: string[];
  attributes: Record<string, string>;
  available: boolean;
  publishedAt: Date | null;
}

/**
 * SQL over catalog_items, always scoped by website_id. A plain pg pool (not
 * the ORM) so batch writes are one statement and connection timeouts are ours.
 */
export class CatalogRepository {
  constructor(private readonly pool: Pool) {}

  async websiteExists(websiteId: string): Promise<boolean> {
    const res = await this.pool.query('SELECT 1 FROM website WHERE website_id = $1', [websiteId]);
    return res.rowCount === 1;
  }

  /**
   * A cheap fingerprint of the website's catalog: its row count and a sum over
   * the rows' `xmin` (the transaction that last wrote each row), so any insert,
   * update or delete by any writer (UpsertItems or SQL) changes it once
   * committed. Equal fingerprints: the catalog has not changed, skip re-reading it.
   */
  async catalogVersion(websiteId: string): Promise<string> {
    const res = await this.pool.query(
      `SELECT count(*)::int AS n, coalesce(sum(hashtext(xmin::text)::bigint), 0)::text AS h FROM catalog_items WHERE website_id = $1`,
      [websiteId],
    );
    return `${res.rows[0].n}:${res.rows[0].h}`;
  }

  async itemsOf(websiteId: string): Promise<CatalogRow[]> {
    const res = await this.pool.query(
      // In the order popularity ties are broken (newest first, then by id; "C": code point order, as
      // JavaScript compares ids): the snapshot then sorts only the items with any popularity (WebsiteSnapshot).
      `SELECT item_id, item_type, title, category, brand, price::text AS price, tags, attributes, in_stock, published_at
         FROM catalog_items WHERE website_id = $1 ORDER BY published_at DESC NULLS LAST, item_id COLLATE "C"`,
      [websiteId],
    );
    return res.rows.map((r) => ({
      itemId: r.item_id,
      kind: (r.item_type === 'content' || r.item_type === 'offer' ? r.item_type : 'product') as ItemKind,
      title: r.title,
      category: r.category,
      brand: r.brand,
      price: r.price,
      tags: Array.isArray(r.tags) ? r.tags : [],
      attributes: r.attributes && typeof r.attributes === 'object' ? r.attributes : {},
      available: r.in_stock,
      publishedAt: r.published_at,
    }));
  }

  /** Replaces the given items as a whole, in one statement (all or none). */
  async upsert(websiteId: string, rows: readonly CatalogRow[]): Promise<number> {
    const res = await this.pool.query(
      `INSERT INTO catalog_items (website_id, item_id, item_type, title, category, brand, price, tags, attributes, in_stock, published_at)
       SELECT $1, t.item_id, t.item_type, t.title, t.category, t.brand, t.price::numeric, t.tags::jsonb, t.attributes::jsonb, t.in_stock, t.published_at
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bool[], $11::timestamptz[])
           AS t(item_id, item_type, title, category, brand, price, tags, attributes, in_stock, published_at)
       ON CONFLICT (website_id, item_id) DO UPDATE SET
         item_type = EXCLUDED.item_type, title = EXCLUDED.title, category = EXCLUDED.category, brand = EXCLUDED.brand,
         price = EXCLUDED.price, tags = EXCLUDED.tags, attributes = EXCLUDED.attributes, in_stock = EXCLUDED.in_stock,
         published_at = EXCLUDED.published_at, updated_at = now()`,
      [
        websiteId,
        rows.map((r) => r.itemId),
        rows.map((r) => r.kind),
        rows.map((r) => r.title),
        rows.map((r) => r.category),
        rows.map((r) => r.brand),
        rows.map((r) => r.price),
        rows.map((r) => JSON.stringify(r.tags)),
        rows.map((r) => JSON.stringify(r.attributes)),
        rows.map((r) => r.available),
        rows.map((r) => r.publishedAt),
      ],
    );
    return res.rowCount ?? rows.length;
  }
}
