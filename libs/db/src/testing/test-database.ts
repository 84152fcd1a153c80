import { randomBytes } from 'node:crypto';
import { Pool, type PoolConfig } from 'pg';
import { quoteIdent, withClient, withDatabase } from '../connection';
import { TEST_DB_PREFIX, TEST_ENV } from './env';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Its name: recsys_t_<runid>_<random>. */
  name: string;
  /**
   * A pg Pool on this database (`config` merged over its URL), ended by drop(). pg-pool's end()
   * resolves once its clients are told to end, not once they have, so the FORCE drop can terminate
   * one still closing and the pool re-emits that as an 'error' event; these pools listen for it
   * (unhandled, it failed whatever test ran next in the worker).
   */
  pool(config?: PoolConfig): Pool;
  /**
   * An outage of this database only: new connections are refused and every open one is
   * terminated, as when PostgreSQL stops; the function returned ends it. drop() ends it too.
   */
  outage(): Promise<() => Promise<void>>;
  /** Ends the pools it made, terminates its connections and drops it. Idempotent. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** true (default): a copy of this run's migrated template. false: an empty database. */
  migrated?: boolean;
}

/**
 * A fresh database for one test suite, on the server the jest globalSetup
 * chose. Copying the migrated template (CREATE DATABASE … TEMPLATE) takes
 * tens of milliseconds, so every suite gets its own instead of sharing one.
 */
export async function createTestDatabase({ migrated = true }: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = requireEnv(TEST_ENV.adminUrl);
  const runId = requireEnv(TEST_ENV.runId);
  const template = migrated ? requireEnv(TEST_ENV.template) : undefined;
  const name = `${TEST_DB_PREFIX}${runId}_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (c) =>
    // template0 for empty databases: template1 may carry objects a site added to it.
    c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template ?? 'template0')}`),
  );
  let dropped = false;
  const url = withDatabase(adminUrl, name);
  const pools: Pool[] = [];
  return {
    url,
    name,
    pool(config = {}) {
      const pool = new Pool({ connectionString: url, ...config });
      pool.on('error', () => undefined);
      pools.push(pool);
      return pool;
    },
    async outage() {
      await withClient(adminUrl, async (c) => {
        await c.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS false`);
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      });
      return () => withClient(adminUrl, (c) => c.query(`ALTER DATABASE ${quoteIdent(name)} ALLOW_CONNECTIONS true`)).then(() => undefined);
    },
    async drop() {
      if (dropped) return;
      await Promise.all(pools.splice(0).map((p) => (p.ended ? undefined : p.end())));
      await dropDatabase(adminUrl, name);
      dropped = true;
    },
  };
}

/** DROP DATABASE … WITH (FORCE) terminates the database's sessions first (PostgreSQL 13+). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: createTestDatabase() runs inside jest with the repository's ` +
        `globalSetup (tools/test/global-setup.js, wired by jest.preset.js), which starts or finds PostgreSQL.`,
    );
  }
  return value;
}
