// `npm run migrate`: applies migrations/*.sql to DATABASE_URL (see docs/schema.md).
// Safe to run while services start: the migrator serialises on an advisory lock.
// Exit codes: 0 done (or nothing to do), 1 a migration failed or was refused, 2 usage.
import { redactUrl, runMigrations, waitForDatabase, type MigrationLogger } from '@recsys/db';

const HELP = `Usage: DATABASE_URL=postgres://user@host:5432/db npm run migrate

Environment:
  DATABASE_URL       the database to migrate (required)
  MIGRATIONS_DIR     directory of *.sql files (default: the repository's migrations/)
  DATABASE_WAIT_MS   how long to wait for the server to accept connections (default 30000)`;

const log = (line: string) => process.stdout.write(`[migrate] ${line}\n`);

const logger: MigrationLogger = {
  info: (obj, msg) => log(`${msg ?? ''} ${describe(obj)}`.trim()),
  warn: (obj, msg) => log(`warning: ${msg ?? ''} ${describe(obj)}`.trim()),
};

function describe(obj: object): string {
  const o = obj as { migration?: string; migrations?: unknown };
  if (o.migration) return o.migration;
  if (Array.isArray(o.migrations)) return o.migrations.join(', ');
  return '';
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write(`DATABASE_URL is not set.\n\n${HELP}\n`);
    return 2;
  }
  const waitMs = Number(process.env.DATABASE_WAIT_MS ?? 30_000);
  await waitForDatabase(databaseUrl, Number.isFinite(waitMs) ? waitMs : 30_000);
  const applied = await runMigrations({
    databaseUrl,
    migrationsDir: process.env.MIGRATIONS_DIR || undefined,
    logger,
  });
  log(`done: ${applied.length} applied on ${redactUrl(databaseUrl)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[migrate] failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
