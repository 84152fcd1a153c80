import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { waitFor, waitingAdvisoryLocks } from '../test/lock-helpers';
import { MIGRATION_LOCK_KEY, readMigrationFiles } from './migrator';
import { createTestDatabase, type TestDatabase } from './testing';

/**
 * Three services starting at once against an empty database: real processes
 * running `npm run migrate`'s script, released together from a lock the test
 * holds, so they truly contend instead of finishing one after another.
 */
const REPO_ROOT = path.resolve(__dirname, '../../..');
const MIGRATE_SCRIPT = path.join(REPO_ROOT, 'tools/db/migrate.ts');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runMigrateProcess(databaseUrl: string): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MIGRATE_SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase({ migrated: false });
});
afterEach(async () => {
  await db.drop();
});

it('three concurrent migrate processes on one empty database all succeed and apply each file once', async () => {
  const files = await readMigrationFiles();
  const holder = new Client({ connectionString: db.url });
  await holder.connect();
  try {
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    const runs = [1, 2, 3].map(() => runMigrateProcess(db.url));
    await waitFor(async () => (await waitingAdvisoryLocks(holder)) === 3, 60_000);
    await holder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);

    const exits = await Promise.all(runs);

    for (const exit of exits) expect(exit).toMatchObject({ code: 0, stderr: '' });
    const appliedCounts = exits.map((e) => Number(e.stdout.match(/done: (\d+) applied/)?.[1])).sort((a, b) => a - b);
    expect(appliedCounts).toEqual([0, 0, files.length]);
    // The two that waited found the schema current and say so.
    expect(exits.filter((e) => e.stdout.includes('schema is up to date'))).toHaveLength(2);

    const { rows } = await holder.query('SELECT name, checksum FROM recsys_migrations ORDER BY name');
    expect(rows).toEqual(files.map((f) => ({ name: f.name, checksum: f.checksum })));
  } finally {
    await holder.end();
  }
}, 90_000);
