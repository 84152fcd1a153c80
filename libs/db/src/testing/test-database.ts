import { randomBytes } from 'node:crypto';
import { quoteIdent, withClient, withDatabase } from '../connection';
import { TEST_DB_PREFIX, TEST_ENV } from './env';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Its name: recsys_t_<runid>_<random>. */
  name: string;
  /** Terminates its connections and drops it. Idempotent. */
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
  return {
    url: withDatabase(adminUrl, name),
    name,
    async drop() {
      if (dropped) return;
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
