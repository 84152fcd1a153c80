import { createHash } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { withClient } from './connection';
import {
  DEFAULT_MIGRATIONS_DIR,
  MIGRATION_LOCK_KEY,
  MigrationChecksumError,
  MigrationFailedError,
  readMigrationFiles,
  runMigrations,
  type MigrationLogger,
} from './migrator';
import { createTestDatabase, type TestDatabase } from './testing';
import { waitFor, waitingAdvisoryLocks } from '../test/lock-helpers';

let db: TestDatabase;
let tmpDir: string;

beforeEach(async () => {
  db = await createTestDatabase({ migrated: false });
  tmpDir = await mkdtemp(path.join(os.tmpdir(), 'recsys-migrations-'));
});
afterEach(async () => {
  await db.drop();
  await rm(tmpDir, { recursive: true, force: true });
});

const query = async <T extends object>(sql: string, params: unknown[] = []) =>
  withClient(db.url, async (c) => (await c.query(sql, params)).rows as T[]);

const recorded = async () =>
  (await query<{ name: string; checksum: string }>('SELECT name, checksum FROM recsys_migrations ORDER BY name')).map(
    (r) => [r.name, r.checksum],
  );

async function copyMigrations(): Promise<string> {
  const dir = path.join(tmpDir, 'migrations');
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

describe('runMigrations', () => {
  it('applies every file in name order to an empty database and records its checksum', async () => {
    const files = await readMigrationFiles();
    expect(files.map((f) => f.name)).toEqual([...files.map((f) => f.name)].sort());
    expect(files[0].name).toBe('001_umami_website.sql');

    const result = await runMigrations({ databaseUrl: db.url });

    expect(result).toEqual(files.map((f) => f.name));
    expect(await recorded()).toEqual(files.map((f) => [f.name, f.checksum]));
    const tables = await query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'catalog_items',
      'interactions', // partitioned (023): its monthly partitions are made by profile-service, not by migrations
      'ml_model_activations',
      'ml_models',
      'profile_affinities',
      'profile_event_ids',
      'profile_orders',
      'profile_pending',
      'profile_prices',
      'profile_sessions',
      'recommendation_daily_stats',
      'recommendations', // partitioned by day (024): ranking-service makes the day partitions
      'recommendations_before_partitioning', // 024: the rows before partitioning, or the first two days of a fresh install
      'recsys_migrations',
      'user_profiles',
      'website',
    ]);
  });

  it('is a no-op the second time', async () => {
    const first = await runMigrations({ databaseUrl: db.url });
    const before = await query('SELECT name, applied_at FROM recsys_migrations ORDER BY name');

    const second = await runMigrations({ databaseUrl: db.url });

    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual([]);
    expect(await query('SELECT name, applied_at FROM recsys_migrations ORDER BY name')).toEqual(before);
  });

  it('applies only the files added since the last run', async () => {
    const dir = await copyMigrations();
    await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
    await writeFile(path.join(dir, '900_extra.sql'), 'CREATE TABLE extra_thing (id int);\n');

    const result = await runMigrations({ databaseUrl: db.url, migrationsDir: dir });

    expect(result).toEqual(['900_extra.sql']);
    expect(await query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'extra_thing'`)).toHaveLength(1);
  });

  it('refuses, naming the file, when an applied migration was edited, and applies nothing', async () => {
    const dir = await copyMigrations();
    await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
    const before = await recorded();
    await writeFile(path.join(dir, '003_user_profiles_unique_per_website.sql'), '-- edited\nSELECT 1;\n');
    await writeFile(path.join(dir, '900_new.sql'), 'CREATE TABLE must_not_exist (id int);\n');

    const run = runMigrations({ databaseUrl: db.url, migrationsDir: dir });

    await expect(run).rejects.toThrow(MigrationChecksumError);
    await expect(run).rejects.toThrow(/003_user_profiles_unique_per_website\.sql/);
    expect(await recorded()).toEqual(before);
    expect(await query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'must_not_exist'`)).toHaveLength(0);
  });

  it('accepts a recorded checksum the file declares it replaces, and no other', async () => {
    const dir = await copyMigrations();
    const first = 'CREATE TABLE first_version (id int);\n';
    await writeFile(path.join(dir, '900_revised.sql'), first);
    await runMigrations({ databaseUrl: db.url, migrationsDir: dir });
    const sha = (await readMigrationFiles(dir)).find((f) => f.name === '900_revised.sql')!.checksum;
    // The revised file names the first version's checksum (worked out here independently).
    expect(sha).toBe(createHash('sha256').update(first).digest('hex'));
    await writeFile(path.join(dir, '900_revised.sql'), `-- recsys:replaces-checksum ${sha}\nSELECT 1;\n`);
    await writeFile(path.join(dir, '901_next.sql'), 'CREATE TABLE next_one (id int);\n');

    expect(await runMigrations({ databaseUrl: db.url, migrationsDir: dir })).toEqual(['901_next.sql']);

    await writeFile(path.join(dir, '900_revised.sql'), `-- recsys:replaces-checksum ${'0'.repeat(64)}\nSELECT 1;\n`);
    await expect(runMigrations({ databaseUrl: db.url, migrationsDir: dir })).rejects.toThrow(MigrationChecksumError);
  });

  it('accepts databases that applied the first version of 001 (Umami 2.x shape)', async () => {
    const first = await readMigrationFiles();
    expect(first[0].replaces).toEqual(['76a254165d7abb1eddbb1b8372b95d3bd78b144fe16d6dbe6173689505e74199']);
    await runMigrations({ databaseUrl: db.url });
    await query(`UPDATE recsys_migrations SET checksum = $1 WHERE name = '001_umami_website.sql'`, [first[0].replaces[0]]);
    expect(await runMigrations({ databaseUrl: db.url })).toEqual([]);
  });

  it('rolls a failing migration back, names it, and keeps the ones before it', async () => {
    const dir = await copyMigrations();
    await writeFile(path.join(dir, '900_broken.sql'), 'CREATE TABLE half_done (id int);\nSELECT 1 / 0;\n');

    const run = runMigrations({ databaseUrl: db.url, migrationsDir: dir });

    await expect(run).rejects.toThrow(MigrationFailedError);
    await expect(run).rejects.toThrow(/900_broken\.sql failed: division by zero/);
    expect(await query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`)).toHaveLength(0);
    const names = (await recorded()).map(([name]) => name);
    expect(names).toContain('007_recommendations_request_id.sql');
    expect(names).not.toContain('900_broken.sql');
  });

  it('waits for the advisory lock held by another session, then proceeds', async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    const messages: string[] = [];
    const logger: MigrationLogger = { info: (_o, m) => messages.push(m ?? ''), warn: (_o, m) => messages.push(m ?? '') };
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      let done = false;
      const run = runMigrations({ databaseUrl: db.url, logger }).then((r) => ((done = true), r));
      await waitFor(async () => (await waitingAdvisoryLocks(holder)) === 1);
      expect(done).toBe(false);
      expect(messages.some((m) => /waiting/.test(m))).toBe(true);

      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const result = await run;

      expect(result.length).toBeGreaterThan(0);
      expect(messages.filter((m) => m === 'applied migration')).toHaveLength(result.length);
      // The lock is released afterwards: this session can take it at once.
      const { rows } = await holder.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [MIGRATION_LOCK_KEY]);
      expect(rows[0].ok).toBe(true);
    } finally {
      await holder.end();
    }
  });

  it('warns about recorded migrations this build does not have', async () => {
    await runMigrations({ databaseUrl: db.url });
    await query(`INSERT INTO recsys_migrations (name, checksum) VALUES ('999_from_the_future.sql', 'x')`);
    const warnings: unknown[] = [];
    const logger: MigrationLogger = { info: () => undefined, warn: (o) => warnings.push(o) };

    const result = await runMigrations({ databaseUrl: db.url, logger });

    expect(result).toEqual([]);
    expect(warnings).toEqual([{ migrations: ['999_from_the_future.sql'] }]);
  });
});
