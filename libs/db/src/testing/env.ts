/**
 * Environment variables the jest globalSetup (tools/test/global-setup.js)
 * exports to every worker of one test run.
 */
export const TEST_ENV = {
  /** Superuser URL of the server test databases are created on. */
  adminUrl: 'RECSYS_TEST_ADMIN_URL',
  /** Name of this run's migrated template database. */
  template: 'RECSYS_TEST_TEMPLATE',
  /** This run's id: every database it creates is named recsys_t_<runid>_* or recsys_tpl_<runid>. */
  runId: 'RECSYS_TEST_RUN_ID',
  /** '1' when the run started its own embedded PostgreSQL. */
  embedded: 'RECSYS_TEST_EMBEDDED',
} as const;

/** Where the admin URL comes from, in order; with neither set, an embedded server is started. */
export const ADMIN_URL_SOURCES = ['TEST_DATABASE_URL', 'DATABASE_URL'] as const;

export const TEMPLATE_PREFIX = 'recsys_tpl_';
export const TEST_DB_PREFIX = 'recsys_t_';

export function templateName(runId: string): string {
  return `${TEMPLATE_PREFIX}${runId}`;
}

/**
 * A run id starts with its start time in base 36, so a later run can tell
 * databases left behind by a crashed run (older than a day) from live ones.
 */
export function newRunId(now = Date.now()): string {
  return `${now.toString(36)}${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
}

/** Start time encoded in a run id (see newRunId), or undefined if it does not parse. */
export function runIdTime(runId: string): number | undefined {
  const t = parseInt(runId.slice(0, -4), 36);
  return Number.isFinite(t) && t > 0 ? t : undefined;
}
