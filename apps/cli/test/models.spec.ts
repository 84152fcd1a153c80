import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { buildLinearModel } from '@recsys/onnx';
import { spawnService, type ServiceProcess } from '@recsys/service-kit/testing';
import { EXIT } from '../src/exit-codes';
import { runCli } from './support/run-cli';

const ROOT = join(__dirname, '../../..');

/** registry-service as its own process (apps never import apps). */
const spawnRegistry = (env: Record<string, string>) =>
  spawnService(join(ROOT, 'apps/registry-service/src/main.ts'), 'registry-service', { FEATURE_NAME_CHECK: 'off', ...env });

describe('recsys models', () => {
  let db: TestDatabase;
  let dir: string;
  let registry: { proc: ServiceProcess; address: string };

  const recsys = (...args: string[]) => runCli({ registry: registry.address }, args);

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'recsys-cli-'));
    registry = await spawnRegistry({ DATABASE_URL: db.url, ARTIFACT_DIR: join(dir, 'artifacts') });
  }, 60_000);

  afterAll(async () => {
    registry?.proc.child.kill('SIGTERM');
    await registry?.proc.exited;
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads, lists, shows, activates, rolls back and downloads', async () => {
    const v1 = join(dir, 'v1.onnx');
    const v2 = join(dir, 'v2.onnx');
    await writeFile(v1, buildLinearModel({ weights: [1, 2], bias: 0, featureNames: ['user.a', 'item.b'] }));
    await writeFile(v2, buildLinearModel({ weights: [3, 4], bias: 0, featureNames: ['user.a', 'item.b'] }));

    const up = await recsys('models', 'upload', v1, '--name', 'default', '--version', 'v1', '--features', 'user.a,item.b');
    expect(up).toMatchObject({ code: EXIT.ok, err: '' });
    expect(up.out).toMatch(/^uploaded default@v1 \(validating, \d+ bytes, sha256 [0-9a-f]{64}\)/);
    expect((await recsys('models', 'upload', v2, '--name', 'default', '--version', 'v2')).code).toBe(EXIT.ok);
    expect((await recsys('models', 'upload', v1, '--name', 'default', '--version', 'v1')).out).toMatch(/^already registered \(same sha256\) default@v1/);

    expect((await recsys('models', 'activate', 'default', 'v1')).out).toBe('active: default@v1\n');
    expect((await recsys('models', 'activate', 'default', 'v2')).out).toBe('active: default@v2 (was v1)\n');

    const list = await recsys('models', 'list', '--name', 'default');
    expect(list.code).toBe(EXIT.ok);
    const lines = list.out.split('\n').filter((l) => l.includes('default'));
    expect(lines.map((l) => l.split('│').map((c) => c.trim()).slice(1, 5))).toEqual([
      ['default', 'v2', 'production', 'yes'],
      ['default', 'v1', 'production', ''],
    ]);

    const listed = JSON.parse((await recsys('models', 'list', '--name', 'default', '--json')).out);
    expect(listed.map((m: { version: string; status: string; isActive: boolean }) => [m.version, m.status, m.isActive])).toEqual([
      ['v2', 'production', true],
      ['v1', 'production', false],
    ]);
    expect(JSON.parse((await recsys('models', 'show', 'default', 'v2', '--json')).out)).toMatchObject({ name: 'default', version: 'v2', status: 'production' });

    const show = await recsys('models', 'show', 'default', 'v2');
    expect(show.out).toContain('model             default@v2');
    expect(show.out).toContain('status            production (active)');
    expect(show.out).toContain('features          user.a, item.b');

    expect((await recsys('models', 'rollback', 'default')).out).toBe('active: default@v1 (rolled back from v2)\n');

    const target = join(dir, 'got.onnx');
    const dl = await recsys('models', 'download', 'default', 'v1', '-o', target);
    expect(dl.code).toBe(EXIT.ok);
    expect(Buffer.compare(await readFile(target), await readFile(v1))).toBe(0);
  });

  it('fails with the server message and an exit code that says why', async () => {
    const bad = join(dir, 'bad.onnx');
    await writeFile(bad, 'not a model');
    const upload = await recsys('models', 'upload', bad, '--name', 'default', '--version', 'bad');
    expect(upload.code).toBe(EXIT.dataError);
    expect(upload.err).toMatch(/^recsys: model: not an ONNX model/);

    const missing = await recsys('models', 'show', 'default', 'nope');
    expect(missing).toMatchObject({ code: EXIT.notFound, err: 'recsys: no model version default@nope\n' });

    const rollback = await recsys('models', 'rollback', 'nothing');
    expect(rollback.code).toBe(EXIT.dataError);
    expect(rollback.err).toContain('no active version of "nothing"');

    expect((await recsys('models', 'list', '--status', 'bogus')).code).toBe(EXIT.usage);
    expect((await recsys('models', 'upload', join(dir, 'absent.onnx'), '--name', 'x', '--version', '1')).code).toBe(EXIT.usage);
    const usage = await recsys('models', 'activate');
    expect(usage.code).toBe(EXIT.usage);
    expect(usage.err).toContain("missing required argument 'name'");
  });
});
