import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { DEFAULT_MIGRATIONS_DIR, runMigrations } from './migrator';
import { createTestDatabase, type TestDatabase } from './testing';
import { TimePartitions } from './time-partitions';

/**
 * Migration 024 on a log that already holds rows: the database is migrated to
 * 023, filled the way the service and outside writers fill it (two websites,
 * outcomes, a row without shown_at), then migrated on. Every row must come out
 * the same, in one partition that ends after tomorrow, with new days in day
 * partitions beside it.
 */
let db: TestDatabase;
let client: Client;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
  dir = await mkdtemp(path.join(os.tmpdir(), 'recsys-024-'));
  for (const file of await readdir(DEFAULT_MIGRATIONS_DIR)) {
    if (file.endsWith('.sql') && file < '024') await cp(path.join(DEFAULT_MIGRATIONS_DIR, file), path.join(dir, file));
  }
  await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
  client = new Client({ connectionString: db.url });
  await client.connect();
}, 60_000);
afterAll(async () => {
  await client?.end();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ALL_ROWS = `SELECT to_jsonb(r) - 'shown_at' AS row, shown_at FROM recommendations r ORDER BY id`;
const DAY_MS = 86_400_000;

describe('migration 024 on a populated recommendations log', () => {
  it('keeps every row and value, converts the table in place, and takes new days into day partitions', async () => {
    const sites = [randomUUID(), randomUUID()];
    for (const site of sites) await client.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [site, 'shop']);
    // 3,000 rows over the last 10 days, a tenth clicked, some converted with revenue, half without a user.
    await client.query(
      `INSERT INTO recommendations (recommendation_id, website_id, session_id, user_id, recommendation_type, item_id, score, rank, context, strategy,
                                    model_version, personalization_factors, clicked, clicked_at, converted, converted_at, revenue, shown_at)
       SELECT md5('r' || g / 10)::uuid, (ARRAY[$1, $2]::uuid[])[1 + g % 2], md5('s' || g / 30)::uuid, CASE WHEN g % 2 = 0 THEN 'u-' || g / 50 END,
              'product', 'sku-' || g % 97, g / 3000.0, 1 + g % 10, jsonb_build_object('page_type', 'product', 'n', g), 'model', 'v' || g % 3,
              jsonb_build_object('source', 'caller'), g % 10 = 0, CASE WHEN g % 10 = 0 THEN now() - interval '1 hour' END,
              g % 30 = 0, CASE WHEN g % 30 = 0 THEN now() - interval '30 minutes' END, CASE WHEN g % 30 = 0 THEN 19.99 END,
              now() - interval '10 days' + g * interval '288 seconds'
         FROM generate_series(1, 3000) g`,
      sites,
    );
    // Rows an outside writer left without shown_at: one with a click time, one with nothing.
    await client.query(`INSERT INTO recommendations (website_id, session_id, item_id, shown_at, clicked, clicked_at) VALUES ($1, gen_random_uuid(), 'odd-1', NULL, true, '2026-10-01 12:00:00+00')`, [sites[0]]);
    await client.query(`INSERT INTO recommendations (website_id, session_id, item_id, shown_at) VALUES ($1, gen_random_uuid(), 'odd-2', NULL)`, [sites[1]]);
    const before = (await client.query(ALL_ROWS)).rows;

    expect(await runMigrations({ databaseUrl: db.url })).toEqual(expect.arrayContaining(['024_recommendations_partitioned.sql']));

    const after = (await client.query(ALL_ROWS)).rows;
    expect(after).toHaveLength(3002);
    expect(after.map((r) => r.row)).toEqual(before.map((r) => r.row));
    // shown_at unchanged where it was set; filled with the click time, else 1970-01-01, where it was not.
    const byItem = (id: string) => after.find((r) => r.row.item_id === id)!.shown_at as Date;
    after.forEach((r, i) => {
      if (before[i].shown_at !== null) expect(r.shown_at).toEqual(before[i].shown_at);
    });
    expect(byItem('odd-1')).toEqual(new Date('2026-10-01T12:00:00Z'));
    expect(byItem('odd-2')).toEqual(new Date(0));

    // The old table is the one partition, from MINVALUE to the midnight after tomorrow (UTC).
    const pool = new Pool({ connectionString: db.url, max: 1 });
    const partitions = new TimePartitions(pool, { table: 'recommendations', unit: 'day', ahead: 2, retentionDays: 90 });
    const [only, ...others] = await partitions.list();
    const now = new Date();
    expect(others).toEqual([]);
    expect(only).toEqual({
      name: 'recommendations_before_partitioning',
      start: null,
      end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 2)),
    });

    // Days after it get day partitions; the days it covers get none.
    await partitions.ensure([partitions.keyOf(now), partitions.keyOf(new Date(now.getTime() + 3 * DAY_MS))]);
    const third = partitions.keyOf(new Date(now.getTime() + 3 * DAY_MS));
    expect((await partitions.list()).map((p) => p.name)).toEqual(['recommendations_before_partitioning', partitions.nameOf(third)]);
    await client.query(`INSERT INTO recommendations (website_id, session_id, item_id, shown_at) VALUES ($1, gen_random_uuid(), 'later', $2)`, [sites[0], new Date(now.getTime() + 3 * DAY_MS)]);
    const where = await client.query(`SELECT tableoid::regclass::text AS t FROM recommendations WHERE item_id = 'later'`);
    expect(where.rows[0].t).toBe(partitions.nameOf(third));

    // The unique key now includes shown_at; id alone still identifies one row here.
    const dup = await client.query(`SELECT id, count(*)::int AS n FROM recommendations GROUP BY id HAVING count(*) > 1`);
    expect(dup.rows).toEqual([]);

    // Deleting a website removes its rows from every partition (the trigger replacing the foreign key).
    await client.query('DELETE FROM website WHERE website_id = $1', [sites[0]]);
    const left = await client.query(`SELECT website_id, count(*)::int AS n FROM recommendations GROUP BY 1`);
    expect(left.rows).toEqual([{ website_id: sites[1], n: 1501 }]);
    await pool.end();
  });
});
