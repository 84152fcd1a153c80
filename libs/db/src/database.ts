import type { MikroORM } from '@mikro-orm/postgresql';
import { waitForDatabase } from './connection';
import { runMigrations, type MigrationLogger } from './migrator';
import { createOrm, type OrmOptions } from './orm';

/**
 * What a service's composition root opens at start-up: wait for the server,
 * migrate (safe when several services start at once: advisory lock), then
 * connect the ORM. The caller owns the result and closes it on shutdown.
 */
export interface OpenDatabaseOptions {
  /** PostgreSQL connection URL (DATABASE_URL). */
  url: string;
  /** Apply pending migrations first. Default true (MIGRATE_ON_START). */
  migrate?: boolean;
  /** Migration progress, and the database driver's own messages (so they are JSON lines too). */
  logger?: MigrationLogger;
  /** How long to wait for the server to accept connections. Default 30 s. */
  waitTimeoutMs?: number;
  /** Overrides the migrations directory (tests). */
  migrationsDir?: string;
  orm?: OrmOptions;
}

export interface Database {
  orm: MikroORM;
  /** Migrations this call applied ([] when the schema was current or `migrate` was false). */
  appliedMigrations: string[];
  /** Closes the ORM's pool. Idempotent. */
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { url, migrate = true, logger, waitTimeoutMs = 30_000, migrationsDir } = options;
  await waitForDatabase(url, waitTimeoutMs);
  const appliedMigrations = migrate ? await runMigrations({ databaseUrl: url, migrationsDir, logger }) : [];
  const orm = await createOrm(url, { driverLogger: logger, ...options.orm });
  let closed: Promise<void> | undefined;
  return {
    orm,
    appliedMigrations,
    close: () => (closed ??= orm.close(true)),
  };
}
