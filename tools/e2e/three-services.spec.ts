// The three services as separate processes, started at the same moment on an
// empty database: all must migrate (one applies, the others wait on the lock),
// report SERVING, and exit 0 on SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { readMigrationFiles } from '@recsys/db';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { checkHealth, ServingStatus, spawnService, waitForServing, type ServiceProcess } from '@recsys/service-kit/testing';

const root = resolve(__dirname, '../..');
const SERVICES = ['profile-service', 'registry-service', 'ranking-service'];

describe('the three services', () => {
  let db: TestDatabase;
  const procs: ServiceProcess[] = [];
  let scratch: string;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    scratch = mkdtempSync(join(tmpdir(), 'recsys-three-'));
  });

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
    await db?.drop();
  });

  it('start at once on an empty database, all SERVING, and stop cleanly on SIGTERM', async () => {
    const settled = await Promise.allSettled(
      SERVICES.map((name) =>
        spawnService(join(root, 'apps', name, 'src/main.ts'), name, {
          DATABASE_URL: db.url,
          // Never the repository's .data/: a model cached by `npm start` must not leak into a test.
          ARTIFACT_DIR: join(scratch, 'artifacts'),
          MODEL_CACHE_DIR: join(scratch, 'model-cache'),
        }),
      ),
    );
    // Keep every process that did start, so afterAll stops it even when another failed.
    for (const r of settled) if (r.status === 'fulfilled') procs.push(r.value.proc);
    const addresses = settled.map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value.address;
    });
    await Promise.all(addresses.map((a) => waitForServing(a, 10_000)));

    const client = new Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query('SELECT name FROM recsys_migrations ORDER BY name');
    await client.end();
    expect(rows.map((r) => r.name)).toEqual((await readMigrationFiles()).map((f) => f.name));
    // Exactly one process applied them; the others found the schema current.
    const appliedBy = procs.filter((p) => p.output().includes('"applied migration"'));
    expect(appliedBy).toHaveLength(1);

    for (const p of procs) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0, 0]);
    for (const [i, p] of procs.entries()) expect(p.output()).toContain(`"${SERVICES[i]} stopped"`);
    for (const a of addresses) expect(await checkHealth(a)).not.toBe(ServingStatus.SERVING);
  }, 120_000);
});
