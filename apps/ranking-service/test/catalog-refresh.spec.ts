import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { createLogger } from '@recsys/service-kit';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { BehaviourRepository } from '../src/catalog/behaviour-repository';
import { CatalogCache } from '../src/catalog/catalog-cache';
import { CatalogRepository } from '../src/catalog/catalog-repository';

const logger = createLogger({ name: 'test', level: 'silent' });

/** Counts the log-aggregate reads (one per refresh that re-read them). */
class CountingBehaviour extends BehaviourRepository {
  statsReads = 0;
  override async itemStats(websiteId: string) {
    this.statsReads++;
    return super.itemStats(websiteId);
  }
}

describe('CatalogCache refresh: re-reads only what changed', () => {
  let db: TestDatabase;
  let pool: Pool;
  const caches: CatalogCache[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = db.pool();
  });
  afterAll(async () => {
    for (const c of caches) await c.close();
    await db?.drop();
  });

  async function site(items: number) {
    const websiteId = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [websiteId, 's']);
    await pool.query(
      `INSERT INTO catalog_items (website_id, item_id, item_type, category, price, tags, in_stock)
       SELECT $1, 'i' || g, 'product', 'c', 10, '[]', true FROM generate_series(1, $2) g`,
      [websiteId, items],
    );
    return websiteId;
  }

  function cache(behaviourMaxAgeMs: number) {
    const behaviour = new CountingBehaviour(pool);
    // No timer (interval 0): the test drives refreshAll() itself.
    const c = new CatalogCache(new CatalogRepository(pool), behaviour, logger, { refreshIntervalMs: 0, behaviourMaxAgeMs });
    caches.push(c);
    return { c, behaviour };
  }

  it('popularity ties: newest first, unpublished last, then by id in code point order (as JavaScript compares)', async () => {
    const websiteId = randomUUID();
    await pool.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [websiteId, 's']);
    await pool.query(
      `INSERT INTO catalog_items (website_id, item_id, item_type, tags, in_stock, published_at)
       VALUES ($1, 'a', 'product', '[]', true, NULL), ($1, 'B', 'product', '[]', true, NULL),
              ($1, 'old', 'product', '[]', true, '2026-01-01Z'), ($1, 'new', 'product', '[]', true, '2026-06-01Z')`,
      [websiteId],
    );
    const { c } = cache(600_000);
    const order = (await c.get(websiteId)).popular.get('product')!.map((e) => e.itemId);
    expect(order).toEqual(['new', 'old', ...['a', 'B'].sort()]); // 'B' < 'a' in code points, unlike most collations
  });

  it('keeps the same snapshot while neither the catalog nor the aggregates are due', async () => {
    const websiteId = await site(3);
    const { c, behaviour } = cache(600_000);
    const first = await c.get(websiteId);
    await c.refreshAll();
    await c.refreshAll();
    expect(await c.get(websiteId)).toBe(first);
    expect(behaviour.statsReads).toBe(1);
  });

  it('picks up catalog changes written with plain SQL (update, insert, delete), without re-reading the aggregates', async () => {
    const websiteId = await site(3);
    const { c, behaviour } = cache(600_000);
    await c.get(websiteId);

    await pool.query(`UPDATE catalog_items SET price = 99, in_stock = false WHERE website_id = $1 AND item_id = 'i2'`, [websiteId]);
    await c.refreshAll();
    let snap = await c.get(websiteId);
    expect(snap.items.get('i2')?.row).toMatchObject({ price: '99.0000', available: false });
    expect(snap.popular.get('product')?.map((e) => e.itemId)).toEqual(expect.not.arrayContaining(['i2']));

    await pool.query(`DELETE FROM catalog_items WHERE website_id = $1 AND item_id = 'i3'`, [websiteId]);
    await pool.query(`INSERT INTO catalog_items (website_id, item_id, item_type, price, tags) VALUES ($1, 'i4', 'product', 5, '[]')`, [websiteId]);
    await c.refreshAll();
    snap = await c.get(websiteId);
    expect([...snap.items.keys()].sort()).toEqual(['i1', 'i2', 'i4']);
    expect(behaviour.statsReads).toBe(1);
  });

  it('re-reads the aggregates once they are older than behaviourMaxAgeMs, even with the catalog unchanged', async () => {
    const websiteId = await site(2);
    const { c, behaviour } = cache(0);
    const first = await c.get(websiteId);
    expect(first.items.get('i1')?.popularity).toBe(0);
    await pool.query(
      `INSERT INTO recommendations (website_id, session_id, item_id, score, rank, strategy, recommendation_type, shown_at, clicked, clicked_at)
       VALUES ($1, $2, 'i1', 0.5, 1, 'popular', 'product', now(), true, now())`,
      [websiteId, randomUUID()],
    );
    await c.refreshAll();
    const second = await c.get(websiteId);
    expect(second).not.toBe(first);
    expect(second.items.get('i1')!.popularity).toBeGreaterThan(0);
    expect(behaviour.statsReads).toBe(2);
  });
});
