import type { Client } from 'pg';
import { withClient } from './connection';
import { runMigrations } from './migrator';
import { createTestDatabase, UMAMI_VERSIONS, umamiSchemaSql, type TestDatabase } from './testing';

/**
 * Recsys inside each supported Umami release's database: migrations succeed
 * and change nothing of Umami's own objects except what docs/schema.md lists
 * (one AFTER DELETE trigger on website, migration 017). And the reverse
 * order: Umami's tables after Recsys's.
 */

/** Every column, index, constraint and trigger of the given tables, as PostgreSQL reports them. */
async function objectsOf(c: Client, tables: string[]): Promise<string[]> {
  const { rows } = await c.query<{ line: string }>(
    `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '') AS line
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY($1)
     UNION ALL
     SELECT 'index ' || tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1)
     UNION ALL
     SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
       FROM pg_constraint WHERE conrelid::regclass::text = ANY($1)
     UNION ALL
     SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname FROM pg_trigger
      WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY($1)
     UNION ALL
     SELECT 'comment ' || c.relname || ' ' || obj_description(c.oid, 'pg_class') FROM pg_class c
      WHERE c.relname = ANY($1) AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NOT NULL
     ORDER BY 1`,
    [tables],
  );
  return rows.map((r) => r.line);
}

const tablesIn = async (c: Client) =>
  (await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map(
    (r) => r.t,
  );

describe.each(UMAMI_VERSIONS)('inside Umami %s', (version) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(() => db?.drop());

  it('migrates, adds only the documented trigger to Umami objects, and keeps working across a website delete', async () => {
    await withClient(db.url, (c) => umamiSchemaSql(version).then((sql) => c.query(sql)));
    const umamiTables = await withClient(db.url, tablesIn);
    const before = await withClient(db.url, (c) => objectsOf(c, umamiTables));
    expect(before.some((l) => l.startsWith('column website.website_id'))).toBe(true);

    const applied = await runMigrations({ databaseUrl: db.url });
    expect(applied.length).toBeGreaterThan(17);

    const after = await withClient(db.url, (c) => objectsOf(c, umamiTables));
    expect(after.filter((l) => !before.includes(l))).toEqual(['trigger website website_delete_profile_bookkeeping', 'trigger website website_delete_recommendations']);
    expect(before.filter((l) => !after.includes(l))).toEqual([]);

    // Recsys's rows reference Umami's website; deleting it in Umami removes them.
    await withClient(db.url, async (c) => {
      const site = '6a1d3e5b-0000-4000-8000-000000000001';
      await c.query(`INSERT INTO website (website_id, name, domain) VALUES ($1, 'shop', 'shop.example')`, [site]);
      await c.query(`INSERT INTO user_profiles (website_id, user_id) VALUES ($1, 'u1')`, [site]);
      await c.query(`INSERT INTO profile_sessions (website_id, user_id, session_id, first_at, last_at, page_views, other_events)
                     VALUES ($1, 'u1', gen_random_uuid(), now(), now(), 1, 0)`, [site]);
      await c.query(`INSERT INTO recommendations (website_id, session_id, item_id) VALUES ($1, gen_random_uuid(), 'sku-1')`, [site]);
      await c.query('DELETE FROM website WHERE website_id = $1', [site]);
      const left = await c.query(`SELECT (SELECT count(*) FROM user_profiles) + (SELECT count(*) FROM profile_sessions) + (SELECT count(*) FROM recommendations) AS n`);
      expect(Number(left.rows[0].n)).toBe(0);
    });
    // A second start finds nothing to do.
    expect(await runMigrations({ databaseUrl: db.url })).toEqual([]);
  });
});

describe('Recsys first, then Umami', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    await runMigrations({ databaseUrl: db.url });
  });
  afterAll(() => db?.drop());

  it("Umami's migrations cannot share the public schema: they stop at Recsys's website table", async () => {
    const sql = await umamiSchemaSql('v3.1.0');
    await expect(withClient(db.url, (c) => c.query(`BEGIN; ${sql}`))).rejects.toThrow(/relation "website" already exists/);
  });

  it.each(UMAMI_VERSIONS)('Umami %s in its own schema of the same database works beside Recsys', async (version) => {
    const schema = `umami_${version.replace(/\W/g, '_')}`;
    await withClient(db.url, async (c) => {
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.query(`SET search_path TO ${schema}`);
      await c.query(await umamiSchemaSql(version));
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`, [schema]);
      expect(rows[0].n).toBeGreaterThanOrEqual(6);
    });
    // Recsys's own tables are untouched and still current.
    expect(await runMigrations({ databaseUrl: db.url })).toEqual([]);
  });
});
