import { Client } from 'pg';
import { withClient } from '../connection';
import { createTestDatabase, TEST_DB_PREFIX, TEST_ENV } from '.';

/** The per-suite databases every other suite in the repository relies on. */
describe('createTestDatabase', () => {
  it('runs after the globalSetup exported the run environment', () => {
    const runId = process.env[TEST_ENV.runId];
    expect(runId).toMatch(/^[a-z0-9]+$/);
    expect(process.env[TEST_ENV.template]).toBe(`recsys_tpl_${runId}`);
    expect(process.env[TEST_ENV.adminUrl]).toMatch(/^postgres(ql)?:\/\//);
  });

  it('uses TEST_DATABASE_URL, else DATABASE_URL, else an embedded PostgreSQL it started', () => {
    const given = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
    if (given) {
      expect(process.env[TEST_ENV.adminUrl]).toBe(given);
      expect(process.env[TEST_ENV.embedded]).toBeUndefined();
    } else {
      expect(process.env[TEST_ENV.embedded]).toBe('1');
      expect(process.env[TEST_ENV.adminUrl]).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    }
  });

  it('pool(): connects to the database with the given settings, and drop() ends it before dropping', async () => {
    const db = await createTestDatabase();
    const pool = db.pool({ application_name: 'pool-test', max: 1 });
    const { rows } = await pool.query(`SELECT current_database() AS name, current_setting('application_name') AS app`);
    expect(rows[0]).toEqual({ name: db.name, app: 'pool-test' });
    const ended = db.pool();
    await ended.end(); // a pool the suite ended itself is left alone
    await db.drop();
    expect(pool.ended).toBe(true);
    const left = await withClient(process.env[TEST_ENV.adminUrl]!, (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]));
    expect(left.rowCount).toBe(0);
  });

  it('copies the migrated template by default', async () => {
    const db = await createTestDatabase();
    try {
      expect(db.name).toMatch(new RegExp(`^${TEST_DB_PREFIX}${process.env[TEST_ENV.runId]}_[0-9a-f]{8}$`));
      const names = await withClient(db.url, async (c) => {
        const { rows } = await c.query<{ name: string }>('SELECT name FROM recsys_migrations ORDER BY name');
        return rows.map((r) => r.name);
      });
      expect(names[0]).toBe('001_umami_website.sql');
      expect(names).toContain('002_recommendation_tables.sql');
    } finally {
      await db.drop();
    }
  });

  it('creates an empty database with { migrated: false }', async () => {
    const db = await createTestDatabase({ migrated: false });
    try {
      const tables = await withClient(db.url, async (c) => {
        const { rows } = await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
        return rows;
      });
      expect(tables).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('gives every call its own database', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.name).not.toBe(b.name);
      await withClient(a.url, (c) => c.query(`INSERT INTO website (website_id, name) VALUES (gen_random_uuid(), 'a')`));
      const count = await withClient(b.url, async (c) => (await c.query('SELECT count(*)::int AS n FROM website')).rows[0].n);
      expect(count).toBe(0);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });

  it('drop() terminates open connections, removes the database and is idempotent', async () => {
    const db = await createTestDatabase();
    const open = new Client({ connectionString: db.url });
    open.on('error', () => undefined); // the forced termination arrives as an error event
    await open.connect();
    await db.drop();
    await db.drop();
    const exists = await withClient(process.env[TEST_ENV.adminUrl]!, async (c) => {
      const { rows } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
      return rows.length > 0;
    });
    expect(exists).toBe(false);
    await open.end().catch(() => undefined);
  });
});
