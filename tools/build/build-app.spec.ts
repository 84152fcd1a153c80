// A built service runs on its own: bundle → node main.js → SERVING → SIGTERM → exit 0.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { waitForServing } from '@recsys/service-kit/testing';
import { appNodeFlags } from './app-node-flags';
import { buildApp } from './build-app';

const root = resolve(__dirname, '../..');

describe('buildApp', () => {
  let out: string;
  let db: TestDatabase;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'recsys-build-'));
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    rmSync(out, { recursive: true, force: true });
    await db?.drop();
  });

  it('bundles profile-service into a deployable folder that starts, migrates, serves and stops', async () => {
    const dir = await buildApp('profile-service', out);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['@grpc/grpc-js', 'pg', 'zod']));
    expect(Object.keys(pkg.dependencies).some((d) => d.startsWith('@recsys/'))).toBe(false);
    expect(existsSync(join(dir, 'migrations/002_recommendation_tables.sql'))).toBe(true);

    // Stand-in for `npm install --omit=dev` in the folder: the same packages, from the workspace.
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const child = spawn(process.execPath, ['main.js'], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: db.url, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    try {
      while (!output.includes('"profile-service serving"') && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      const line = output.split('\n').find((l) => l.includes('"profile-service serving"'));
      expect(line).toBeDefined();
      await waitForServing(JSON.parse(line!).grpc, 10_000);
      expect(output).toContain('"applied migration"');
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it("puts the app's node flags into the built start script, and node accepts them", async () => {
    const flags = appNodeFlags('ranking-service');
    expect(flags).toEqual(['--single-threaded-gc']);
    const dir = await buildApp('ranking-service', out);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts.start).toBe('node --single-threaded-gc main.js');
    expect(spawnSync(process.execPath, [...flags, '-e', '0']).status).toBe(0);
    // The workspace's own start script (npm start in apps/ranking-service) passes them too.
    expect(JSON.parse(readFileSync(join(root, 'apps/ranking-service/package.json'), 'utf8')).scripts.start).toMatch(/^node --single-threaded-gc /);
    // An app without any: plain node.
    expect(appNodeFlags('profile-service')).toEqual([]);
  });

  it('refuses node flags that are not single --flag tokens', () => {
    const checkout = mkdtempSync(join(tmpdir(), 'recsys-flags-'));
    try {
      mkdirSync(join(checkout, 'apps/x'), { recursive: true });
      writeFileSync(join(checkout, 'apps/x/package.json'), JSON.stringify({ recsys: { nodeFlags: ['--ok', 'main.js; rm -rf /'] } }));
      expect(() => appNodeFlags('x', checkout)).toThrow(/recsys.nodeFlags must be a list of --flags/);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});
