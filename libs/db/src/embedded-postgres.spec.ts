import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { assertReachableBy, findFreePort, startEmbeddedPostgres } from './embedded-postgres';

/** The helper behind `npm start`'s persistent cluster (.data/postgres). */
const run = promisify(execFile);
const FIXTURE = path.resolve(__dirname, '../test/fixtures/embedded-roundtrip.ts');

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'recsys-embedded-spec-'));
  // mkdtemp makes it 0700; run as root, the server (user postgres) must traverse it.
  await chmod(tmp, 0o755);
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function roundTrip(dataDir: string): Promise<{ initialised: boolean; count: number; port: number }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], {
    cwd: path.resolve(__dirname, '../../..'),
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

it('initialises an empty dir, then reuses the cluster and its data on the next start', async () => {
  const dataDir = path.join(tmp, 'nested', 'postgres');

  const first = await roundTrip(dataDir);
  const second = await roundTrip(dataDir);

  expect(first).toMatchObject({ initialised: true, count: 1 });
  expect(second).toMatchObject({ initialised: false, count: 2 });
}, 90_000);

it('refuses a non-empty directory that is not a PostgreSQL data dir', async () => {
  await writeFile(path.join(tmp, 'precious.txt'), 'do not initdb over me');
  await expect(startEmbeddedPostgres({ dataDir: tmp })).rejects.toThrow(/neither empty nor a PostgreSQL data directory/);
});

it('names the directory the postgres OS user cannot traverse (the root case)', async () => {
  const locked = path.join(tmp, 'locked');
  const parent = path.join(locked, 'inner');
  await mkdir(parent, { recursive: true });
  await chmod(parent, 0o755);
  await chmod(locked, 0o700);
  const someOtherUid = (process.getuid?.() ?? 0) + 4242;
  expect(() => assertReachableBy(someOtherUid, parent)).toThrow(`${locked} is not searchable by other users (mode 700)`);
  await chmod(locked, 0o711);
  expect(() => assertReachableBy(someOtherUid, parent)).not.toThrow();
});

it('findFreePort returns a bindable port', async () => {
  const port = await findFreePort();
  expect(port).toBeGreaterThan(1024);
  expect(port).toBeLessThan(65536);
});

describe('embedded PostgreSQL from a checkout in a private directory (mode 700, like /root or mktemp -d)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'recsys-private-'));
    await chmod(dir, 0o700);
    const modules = path.join(dir, 'node_modules');
    await mkdir(path.join(modules, '@embedded-postgres'), { recursive: true });
    const real = (name: string) => realpathSync(path.join(__dirname, '../../../node_modules', name));
    await cp(real(`@embedded-postgres/${process.platform}-${process.arch}`), path.join(modules, `@embedded-postgres/${process.platform}-${process.arch}`), { recursive: true, verbatimSymlinks: true });
    await cp(real('embedded-postgres'), path.join(modules, 'embedded-postgres'), { recursive: true });
    for (const dep of ['async-exit-hook', 'pg']) await symlink(real(dep), path.join(modules, dep));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('starts: as root the binaries are used from a copy the postgres user can reach', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../test/fixtures/embedded-private.ts'), dir], {
      cwd: path.resolve(__dirname, '../../..'),
      timeout: 120_000,
    });
    const { entry, one } = JSON.parse(stdout.trim().split('\n').pop()!);
    if (process.getuid?.() === 0) expect(entry).toMatch(/^file:\/\/\/var\/tmp\/recsys-embedded-postgres-/);
    else expect(entry).toContain(dir);
    expect(one).toBe(1);
  }, 150_000);
});
