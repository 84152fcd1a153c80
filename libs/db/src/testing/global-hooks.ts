import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { quoteIdent, waitForDatabase, withClient, withDatabase } from '../connection';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded-postgres';
import { runMigrations } from '../migrator';
import {
  ADMIN_URL_SOURCES,
  newRunId,
  runIdTime,
  TEMPLATE_PREFIX,
  templateName,
  TEST_DB_PREFIX,
  TEST_ENV,
} from './env';

/**
 * The jest globalSetup / globalTeardown behind tools/test/global-*.js. They
 * run in jest's parent process, before any worker starts: environment
 * variables set here are inherited by every worker.
 */

/** The embedded server of this process's run, shared between setup and teardown. */
const EMBEDDED = Symbol.for('recsys.test.embeddedPostgres');
type WithEmbedded = typeof globalThis & { [EMBEDDED]?: EmbeddedPostgres };

/** Databases of runs older than this are leftovers of crashed runs. */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

export async function testGlobalSetup(): Promise<void> {
  // Jest calls globalSetup once per distinct file; with several projects only
  // the first call does the work, the rest find the run already prepared.
  if (process.env[TEST_ENV.runId]) return;

  const runId = newRunId();
  const adminUrl = await resolveAdminUrl(runId);
  await waitForDatabase(adminUrl, 30_000);
  await dropStaleDatabases(adminUrl).catch(() => undefined); // best effort: never fails a run

  const template = templateName(runId);
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(template)} TEMPLATE template0`));
  try {
    await runMigrations({ databaseUrl: withDatabase(adminUrl, template) });
    // CREATE DATABASE … TEMPLATE fails while anyone is connected to the
    // template: forbid connections so no test can break cloning by accident.
    await withClient(adminUrl, (c) => c.query(`ALTER DATABASE ${quoteIdent(template)} ALLOW_CONNECTIONS false`));
  } catch (error) {
    await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(template)} WITH (FORCE)`));
    await stopEmbedded();
    throw error;
  }

  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.template] = template;
  process.env[TEST_ENV.runId] = runId;
}

export async function testGlobalTeardown(): Promise<void> {
  const runId = process.env[TEST_ENV.runId];
  const adminUrl = process.env[TEST_ENV.adminUrl];
  if (!runId || !adminUrl) return;
  // Cleared first: a second teardown call (several projects) is a no-op.
  for (const name of Object.values(TEST_ENV)) delete process.env[name];
  try {
    await withClient(adminUrl, async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $2)`,
        [templateName(runId), `${TEST_DB_PREFIX}${runId}_`],
      );
      for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
    });
  } finally {
    await stopEmbedded();
  }
}

async function resolveAdminUrl(runId: string): Promise<string> {
  for (const name of ADMIN_URL_SOURCES) {
    const url = process.env[name];
    if (url) return url;
  }
  // No server given: a throw-away cluster in a temp dir, deleted on stop.
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `recsys-test-pg-${runId}-`));
  let embedded: EmbeddedPostgres;
  try {
    embedded = await startEmbeddedPostgres({ dataDir, persistent: false });
  } catch (error) {
    const hint = `set TEST_DATABASE_URL to use an existing server (tried: ${ADMIN_URL_SOURCES.join(', ')})`;
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nOr ${hint}.`, { cause: error });
  }
  (globalThis as WithEmbedded)[EMBEDDED] = embedded;
  process.env[TEST_ENV.embedded] = '1';
  return embedded.url;
}

async function stopEmbedded(): Promise<void> {
  const holder = globalThis as WithEmbedded;
  const embedded = holder[EMBEDDED];
  delete holder[EMBEDDED];
  await embedded?.stop();
}

/** Drops test databases of runs that started more than a day ago (a killed jest never tore down). */
async function dropStaleDatabases(adminUrl: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2)`,
      [TEST_DB_PREFIX, TEMPLATE_PREFIX],
    );
    for (const { datname } of rows) {
      const runId = datname.startsWith(TEMPLATE_PREFIX)
        ? datname.slice(TEMPLATE_PREFIX.length)
        : datname.slice(TEST_DB_PREFIX.length).split('_')[0];
      const startedAt = runIdTime(runId);
      if (startedAt !== undefined && Date.now() - startedAt > STALE_AFTER_MS) {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
      }
    }
  });
}
