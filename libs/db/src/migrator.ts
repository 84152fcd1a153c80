import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Plain-SQL migrations from `migrations/*.sql`, applied in file-name order and
 * recorded in `recsys_migrations`. Every service runs this at start-up, so
 * several processes may race on one empty database: a session advisory lock
 * serialises them (MikroORM's own migrator takes no lock, see docs/platform-notes.md).
 */

/**
 * Default `migrations/` directory: beside the bundle in a built service
 * (dist/apps/<app>/migrations, copied there by tools/build), else the
 * repository root's, resolved from this file (libs/db/src).
 */
export const DEFAULT_MIGRATIONS_DIR = [path.resolve(__dirname, 'migrations'), path.resolve(__dirname, '../../../migrations')].find(
  (dir) => existsSync(dir),
) ?? path.resolve(__dirname, '../../../migrations');

/** The table that records applied migrations. The ORM's schema generator skips it. */
export const MIGRATIONS_TABLE = 'recsys_migrations';

/**
 * Key of the session advisory lock held while migrating: the ASCII bytes of
 * "recsys" read as a number. Advisory locks are per database, so test
 * databases on one server do not wait for each other.
 */
export const MIGRATION_LOCK_KEY = '125779785775475';

/** Structured logger; a pino logger fits. */
export interface MigrationLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RunMigrationsOptions {
  databaseUrl: string;
  /** Directory holding the `*.sql` files. Default: {@link DEFAULT_MIGRATIONS_DIR}. */
  migrationsDir?: string;
  logger?: MigrationLogger;
}

export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 (hex) of the file's bytes. */
  checksum: string;
  /**
   * Checksums of earlier versions of this file that a database may have
   * recorded: `-- recsys:replaces-checksum <sha256>` lines. Only for a file
   * that could not run where it must (001 inside Umami 3.1); every other
   * change goes into a new migration.
   */
  replaces: string[];
}

const REPLACES = /^-- recsys:replaces-checksum ([0-9a-f]{64})\s*$/gm;

/** Raised when a file that was already applied has changed since: migrations are append-only. */
export class MigrationChecksumError extends Error {
  constructor(
    readonly migration: string,
    readonly recordedChecksum: string,
    readonly currentChecksum: string,
  ) {
    super(
      `Migration ${migration} was already applied with checksum ${recordedChecksum}, ` +
        `but the file now has checksum ${currentChecksum}. Applied migrations must not be edited: ` +
        `restore the file and put the change in a new migration.`,
    );
    this.name = 'MigrationChecksumError';
  }
}

/** Raised when one migration's SQL fails; its transaction was rolled back. */
export class MigrationFailedError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    super(`Migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
  }
}

export function checksumOf(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Reads `*.sql` in `dir`, sorted by name (byte order, so `010_` follows `009_`). */
export async function readMigrationFiles(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(dir, name));
      const sql = bytes.toString('utf8');
      return { name, sql, checksum: checksumOf(bytes), replaces: [...sql.matchAll(REPLACES)].map((m) => m[1]) };
    }),
  );
}

/**
 * Applies the pending migrations under the advisory lock and returns the names
 * of the files this call applied, in order ([] when the schema was current).
 */
export async function runMigrations(options: RunMigrationsOptions): Promise<string[]> {
  const { databaseUrl, migrationsDir = DEFAULT_MIGRATIONS_DIR, logger } = options;
  // Read (and fail on a bad dir) before touching the database.
  const files = await readMigrationFiles(migrationsDir);
  // A dedicated connection: the session lock belongs to it and dies with it,
  // so a crashed migrator never leaves the lock held.
  const client = new Client({ connectionString: databaseUrl, application_name: 'recsys-migrator' });
  // A connection lost between queries surfaces as the next query's error, not as a crash.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await acquireLock(client, logger);
    try {
      return await applyPending(client, files, logger);
    } finally {
      // Must not mask the real error; a lost connection released the lock anyway.
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function acquireLock(client: Client, logger?: MigrationLogger): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
    MIGRATION_LOCK_KEY,
  ]);
  if (rows[0].locked) return;
  logger?.info({ lockKey: MIGRATION_LOCK_KEY }, 'another process is migrating this database; waiting for its lock');
  await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
}

async function applyPending(client: Client, files: MigrationFile[], logger?: MigrationLogger): Promise<string[]> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
       name text PRIMARY KEY,
       checksum text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const { rows } = await client.query<{ name: string; checksum: string }>(
    `SELECT name, checksum FROM ${MIGRATIONS_TABLE}`,
  );
  const recorded = new Map(rows.map((r) => [r.name, r.checksum]));

  // Check every applied file before applying anything: an edited history is
  // refused as a whole, not after half of the new files went in.
  for (const file of files) {
    const checksum = recorded.get(file.name);
    if (checksum !== undefined && checksum !== file.checksum && !file.replaces.includes(checksum)) {
      throw new MigrationChecksumError(file.name, checksum, file.checksum);
    }
  }
  const known = new Set(files.map((f) => f.name));
  const unknown = [...recorded.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    // A newer release applied these; an older process may still run (rolling deploys).
    logger?.warn({ migrations: unknown }, 'database has migrations this build does not know');
  }

  const applied: string[] = [];
  for (const file of files) {
    if (recorded.has(file.name)) continue;
    await applyOne(client, file);
    logger?.info({ migration: file.name }, 'applied migration');
    applied.push(file.name);
  }
  if (applied.length === 0) logger?.info({ migrations: files.length }, 'schema is up to date');
  return applied;
}

async function applyOne(client: Client, file: MigrationFile): Promise<void> {
  await client.query('BEGIN');
  try {
    // Simple-query protocol (no parameters): the file may hold many statements.
    await client.query(file.sql);
    await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum) VALUES ($1, $2)`, [file.name, file.checksum]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new MigrationFailedError(file.name, error);
  }
}
