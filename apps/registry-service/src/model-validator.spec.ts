import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLinearModel } from '@recsys/onnx';
import { ModelValidator } from './model-validator';

describe('ModelValidator', () => {
  let dir: string;
  let file: string;
  const request = { featureNames: [], inputName: '', outputName: '' };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recsys-validator-'));
    file = join(dir, 'm.onnx');
    await writeFile(file, buildLinearModel({ weights: [1, 2], bias: 0, featureNames: ['user.a', 'item.b'] }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs at most `concurrency` validations at once; the others wait, and can be cancelled while waiting', async () => {
    const validator = new ModelValidator({ timeoutMs: 30_000, concurrency: 1, featureNames: () => [] });
    const first = validator.validate(file, request);
    const cancel = new AbortController();
    const queued = validator.validate(file, request, cancel.signal);
    const third = validator.validate(file, request);
    cancel.abort();
    await expect(queued).rejects.toMatchObject({ kind: 'unavailable', message: 'upload cancelled while waiting for validation' });
    await expect(first).resolves.toMatchObject({ featureNames: ['user.a', 'item.b'], inputName: 'features', outputName: 'score', scoreColumns: 1 });
    await expect(third).resolves.toMatchObject({ inputName: 'features' });
  });

  it('reports unknown feature names from the injected vocabulary check', async () => {
    const validator = new ModelValidator({ timeoutMs: 30_000, concurrency: 2, featureNames: (names) => names.filter((n) => n !== 'user.a') });
    await expect(validator.validate(file, request)).rejects.toMatchObject({ kind: 'invalid_argument', message: expect.stringContaining('unknown feature names ["item.b"]') });
  });
});
