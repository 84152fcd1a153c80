import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from './testing';

let db: TestDatabase;
let client: Client;
beforeAll(async () => {
  db = await createTestDatabase();
  client = new Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

async function website(name: string): Promise<string> {
  const id = randomUUID();
  await client.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [id, name]);
  return id;
}

// 020 and 021 dropped indexes of the recommendations log for cheaper inserts; each lookup the
// services make (by answer, by session, a user's rows, a website's time range, a time range
// across websites) must still be served by the index meant for it. The log holds 20,000 rows of
// two websites over 120 days, appended in time order like the service writes them, analyzed;
// sequential scans are priced out so the plan shows the best index, or none.
describe('recommendations: lookups after 020 and 021', () => {
  let sites: string[];
  beforeAll(async () => {
    sites = [await website('log-a'), await website('log-b')];
    await client.query(
      `INSERT INTO recommendations (recommendation_id, website_id, session_id, user_id, item_id, rank, shown_at)
       SELECT gen_random_uuid(), (ARRAY[$1, $2]::uuid[])[1 + g % 2], md5('s' || g / 10)::uuid, 'u-' || (g / 40), 'sku-' || (g % 500), 1 + g % 10,
              now() - interval '120 days' + g * interval '518 seconds'
         FROM generate_series(1, 20000) g`,
      sites,
    );
    await client.query('ANALYZE recommendations');
  });

  it.each([
    ['RecordOutcome by answer', 'SELECT website_id FROM recommendations WHERE recommendation_id = $1', () => [randomUUID()], 'idx_recommendations_recommendation_id'],
    [
      'RecordOutcome by session',
      'SELECT 1 FROM recommendations WHERE website_id = $1 AND session_id = $2 AND item_id = $3 AND shown_at <= now()',
      () => [sites[0], randomUUID(), 'sku-1'],
      'idx_recommendations_session',
    ],
    ['a user deleted from profiles', 'SELECT 1 FROM recommendations WHERE website_id = $1 AND user_id = $2', () => [sites[0], 'u-7'], 'idx_recommendations_user'],
    [
      "a website's time range (catalog aggregates, online metrics)",
      "SELECT count(*) FROM recommendations WHERE website_id = $1 AND shown_at >= now() - interval '7 days'",
      () => [sites[0]],
      'idx_recommendations_website_shown_at',
    ],
    ['a time range across websites (retention)', "SELECT count(*) FROM recommendations WHERE shown_at < now() - interval '90 days'", () => [], 'idx_recommendations_shown_at'],
  ])('%s uses its index', async (_what, sql, params, index) => {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = JSON.stringify((await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params())).rows[0]['QUERY PLAN']);
      expect(plan).not.toContain('Seq Scan');
      // The log is partitioned (024): a plan names the partitions' copies of the index.
      const copies = (await client.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`, [index])).rows.map(
        (r) => r.relname,
      );
      expect(copies.length).toBeGreaterThan(0);
      expect(copies.some((name) => plan.includes(`"Index Name":"${name}"`))).toBe(true);
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
