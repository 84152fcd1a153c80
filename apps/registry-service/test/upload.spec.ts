import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status as Status } from '@grpc/grpc-js';
import { ModelStatus } from '@recsys/contracts/registry';
import { buildClassifierModel, buildLinearModel, buildTreeEnsembleModel, ElemType, encodeModel, randomTreeEnsemble } from '@recsys/onnx';
import { artifactFiles, call, download, rowCount, sha256, sql, startRegistry, upload, type RegistryKit } from './registry-test-kit';

const names = ['user.sessions', 'item.price', 'match.category'];
const linear = (bias = 0.1) => buildLinearModel({ weights: [0.5, -1, 2], bias, featureNames: names, sigmoid: true });

describe('UploadModel', () => {
  let kit: RegistryKit;
  beforeAll(async () => {
    kit = await startRegistry({ MAX_MODEL_BYTES: String(8 * 1024 * 1024) });
  });
  afterAll(() => kit?.close());

  it('round trip: a multi-chunk model uploads, reads back and downloads byte for byte with its sha256', async () => {
    const bytes = buildTreeEnsembleModel({ trees: randomTreeEnsemble({ trees: 150, depth: 8, features: 3, seed: 3 }), featureNames: names });
    expect(bytes.length).toBeGreaterThan(1024 * 1024); // several upload chunks and more than one download chunk
    const res = await upload(kit.client, 'ctr', 'v1', bytes, {
      chunkBytes: 256 * 1024,
      header: { modelType: 'ranking', algorithm: 'gbdt', metrics: { 'ndcg@10': 0.31 }, description: 'first', hyperparameters: { trees: 150 } },
    });
    expect(res.created).toBe(true);
    expect(res.model).toMatchObject({
      name: 'ctr',
      version: 'v1',
      status: ModelStatus.MODEL_STATUS_VALIDATING,
      isActive: false,
      artifactSha256: sha256(bytes),
      artifactSizeBytes: bytes.length,
      featureNames: names,
      inputName: 'features',
      outputName: 'score',
      modelType: 'ranking',
      algorithm: 'gbdt',
      metrics: { 'ndcg@10': 0.31 },
      hyperparameters: { trees: 150 },
    });
    const got = (await call(kit.client, 'getModel', { name: 'ctr', version: 'v1' })).model;
    expect(got).toEqual(res.model);
    const dl = await download(kit.client, 'ctr', 'v1');
    expect(dl.chunks).toBeGreaterThan(1);
    expect(dl.model.artifactSha256).toBe(sha256(bytes));
    expect(sha256(dl.bytes)).toBe(sha256(bytes));
    expect(Buffer.compare(dl.bytes, Buffer.from(bytes))).toBe(0);
    expect(await artifactFiles(kit.artifactDir)).toEqual([`${sha256(bytes).slice(0, 2)}/${sha256(bytes)}.onnx`]);
  });

  it('re-uploading the same name+version+bytes returns the existing row; different bytes are ALREADY_EXISTS', async () => {
    const first = await upload(kit.client, 'idem', '1', linear());
    const again = await upload(kit.client, 'idem', '1', linear(), { header: { description: 'ignored' } });
    expect(again).toEqual({ model: first.model, created: false });
    await expect(upload(kit.client, 'idem', '1', linear(0.7))).rejects.toMatchObject({ code: Status.ALREADY_EXISTS, details: expect.stringContaining('idem@1 already exists') });
    expect(await rowCount(kit.db, `name = 'idem'`)).toBe(1);
  });

  it('accepts a classifier with [N, 2] probabilities, an [N] output, and feature names from the header', async () => {
    const clf = await upload(kit.client, 'clf', '1', buildClassifierModel({ weights: [1, 2, 3], bias: 0, featureNames: names }));
    expect(clf.model).toMatchObject({ outputName: 'probabilities', featureNames: names });
    const flat = buildLinearModel({ weights: [1, 2, 3], bias: 0, featureNames: ['a', 'b', 'c'], outputShape: 'N', inputName: 'X', outputName: 'y' });
    const res = await upload(kit.client, 'flat', '1', flat, { header: { featureNames: ['a', 'b', 'c'] } });
    expect(res.model).toMatchObject({ inputName: 'X', outputName: 'y', featureNames: ['a', 'b', 'c'] });
  });

  it('picks the probabilities of a scikit-learn style classifier with a label output too', async () => {
    const bytes = encodeModel({
      inputs: [{ name: 'float_input', elemType: ElemType.FLOAT, dims: ['N', 3] }],
      outputs: [
        { name: 'output_label', elemType: ElemType.INT64, dims: ['N'] },
        { name: 'output_probability', elemType: ElemType.FLOAT, dims: ['N', 2] },
      ],
      nodes: [
        { opType: 'MatMul', inputs: ['float_input', 'W'], outputs: ['z'] },
        { opType: 'Softmax', inputs: ['z'], outputs: ['output_probability'], attributes: { axis: { kind: 'int', value: 1 } } },
        { opType: 'ArgMax', inputs: ['z'], outputs: ['output_label'], attributes: { axis: { kind: 'int', value: 1 }, keepdims: { kind: 'int', value: 0 } } },
      ],
      initializers: [{ name: 'W', dims: [3, 2], elemType: ElemType.FLOAT, values: [1, -1, 0.5, -0.5, 2, -2] }],
      metadataProps: { feature_names: JSON.stringify(names) },
    });
    const res = await upload(kit.client, 'skl', '1', bytes);
    expect(res.model).toMatchObject({ inputName: 'float_input', outputName: 'output_probability' });
  });

  it('two concurrent uploads of one name+version with different bytes: one wins, the other is ALREADY_EXISTS and leaves no file', async () => {
    const a = linear(0.11);
    const b = linear(0.22);
    const results = await Promise.allSettled([upload(kit.client, 'race', '1', a), upload(kit.client, 'race', '1', b)]);
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof upload>>> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: Status.ALREADY_EXISTS } });
    const files = await artifactFiles(kit.artifactDir);
    const loser = won[0].value.model!.artifactSha256 === sha256(a) ? sha256(b) : sha256(a);
    expect(files.some((f) => f.includes(loser))).toBe(false);
    expect(files.filter((f) => f.startsWith('.staging'))).toEqual([]);
  });

  it('DownloadModel ends with DATA_LOSS when the stored file was altered or removed', async () => {
    const res = await upload(kit.client, 'dl', '1', linear(0.9));
    const file = join(kit.artifactDir, res.model.artifactPath);
    await writeFile(file, Buffer.concat([await readFile(file), Buffer.from('tampered')]));
    await expect(download(kit.client, 'dl', '1')).rejects.toMatchObject({ code: Status.DATA_LOSS, details: expect.stringContaining('no longer matches') });
    await rm(file);
    await expect(download(kit.client, 'dl', '1')).rejects.toMatchObject({ code: Status.DATA_LOSS, details: expect.stringContaining('missing from the store') });
    await expect(download(kit.client, 'dl', 'nope')).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await call(kit.client, 'deleteModel', { name: 'dl', version: '1' });
  });

  describe('rejections leave nothing behind (no row, no file)', () => {
    const wrongInputType = encodeModel({
      inputs: [{ name: 'x', elemType: ElemType.DOUBLE, dims: ['N', 3] }],
      outputs: [{ name: 'y', elemType: ElemType.DOUBLE, dims: ['N', 3] }],
      nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
      metadataProps: { feature_names: JSON.stringify(names) },
    });
    const wrongRank = encodeModel({
      inputs: [{ name: 'x', elemType: ElemType.FLOAT, dims: ['N', 3, 2] }],
      outputs: [{ name: 'y', elemType: ElemType.FLOAT, dims: ['N', 3, 2] }],
      nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
      metadataProps: { feature_names: JSON.stringify(names) },
    });
    const valid = linear();
    const cases: [string, () => Promise<unknown>, Status, string | RegExp][] = [
      ['corrupt bytes', () => upload(kit.client, 'bad', '1', new TextEncoder().encode('definitely not an onnx file')), Status.INVALID_ARGUMENT, /^model: not an ONNX model/],
      [
        'bytes that parse but do not load',
        () => upload(kit.client, 'bad', '1', valid.subarray(0, valid.length - 9)),
        Status.INVALID_ARGUMENT,
        /^model: /,
      ],
      ['wrong sha256', () => upload(kit.client, 'bad', '1', valid, { header: { sha256: 'ab'.repeat(32) } }), Status.DATA_LOSS, /sha256 of the bytes received is [0-9a-f]{64}, but the header declared abab/],
      ['fewer bytes than declared', () => upload(kit.client, 'bad', '1', valid, { send: valid.subarray(0, 100) }), Status.DATA_LOSS, 'received 100 bytes, but size_bytes declared 285: the stream was cut short'],
      ['a stream the client cancels half way', () => upload(kit.client, 'bad', '1', valid, { chunkBytes: 64, cancelAfterBytes: 128 }), Status.CANCELLED, /ancel/],
      ['wrong input element type', () => upload(kit.client, 'bad', '1', wrongInputType), Status.INVALID_ARGUMENT, 'model: input "x" has element type float64, expected float32'],
      ['wrong input rank', () => upload(kit.client, 'bad', '1', wrongRank), Status.INVALID_ARGUMENT, 'model: input "x" has shape [N, 3, 2], expected [N, F] (rank 2)'],
      [
        'feature count mismatch',
        () => upload(kit.client, 'bad', '1', valid, { header: { featureNames: ['a', 'b'] } }),
        Status.INVALID_ARGUMENT,
        'feature_names: the header declares ["a","b"] but the model metadata_props says ["user.sessions","item.price","match.category"]',
      ],
      [
        'input width different from the declared names',
        () => upload(kit.client, 'bad', '1', encodeModel({
          inputs: [{ name: 'x', elemType: ElemType.FLOAT, dims: ['N', 4] }],
          outputs: [{ name: 'y', elemType: ElemType.FLOAT, dims: ['N', 4] }],
          nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
        }), { header: { featureNames: names } }),
        Status.INVALID_ARGUMENT,
        'model: input "x" takes 4 feature columns but 3 feature names were declared',
      ],
      [
        'an output that yields NaN',
        () => upload(kit.client, 'bad', '1', buildLinearModel({ weights: [NaN, 1, 1], bias: 0, featureNames: names })),
        Status.INVALID_ARGUMENT,
        'model: smoke run: output "score" gave NaN for row 0; scores must be finite',
      ],
      [
        'no feature names anywhere',
        () => upload(kit.client, 'bad', '1', encodeModel({
          inputs: [{ name: 'x', elemType: ElemType.FLOAT, dims: ['N', 1] }],
          outputs: [{ name: 'y', elemType: ElemType.FLOAT, dims: ['N', 1] }],
          nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
        })),
        Status.INVALID_ARGUMENT,
        /^feature_names: none declared/,
      ],
      ['a declared size over the limit', () => upload(kit.client, 'bad', '1', valid, { header: { sizeBytes: 9 * 1024 * 1024 } }), Status.RESOURCE_EXHAUSTED, 'size_bytes: 9437184 bytes is above the registry\'s limit of 8388608 bytes'],
      ['a name with a path in it', () => upload(kit.client, '../etc', '1', valid), Status.INVALID_ARGUMENT, /^name: must be letters, digits/],
      ['a version with a slash', () => upload(kit.client, 'ok', 'a/b', valid), Status.INVALID_ARGUMENT, /^version: /],
      ['a version with NUL', () => upload(kit.client, 'ok', 'v\u00001', valid), Status.INVALID_ARGUMENT, /^version: /],
      ['an overlong name', () => upload(kit.client, 'n'.repeat(101), '1', valid), Status.INVALID_ARGUMENT, 'name: must be at most 100 characters, got 101'],
      ['a malformed sha256', () => upload(kit.client, 'bad', '1', valid, { header: { sha256: 'xyz' } }), Status.INVALID_ARGUMENT, /^sha256: must be 64 hex digits/],
      ['an unknown website', () => upload(kit.client, 'bad', '1', valid, { header: { websiteId: '7d3f7c5e-0000-4000-8000-000000000001' } }), Status.NOT_FOUND, /^website_id: no website/],
      ['a stream without a header', () => upload(kit.client, 'bad', '1', valid, { messages: [{ payload: { $case: 'chunk', value: Buffer.from(valid) } }] }), Status.INVALID_ARGUMENT, 'header: the first message must be the header'],
      ['an empty stream', () => upload(kit.client, 'bad', '1', valid, { messages: [] }), Status.INVALID_ARGUMENT, /^header: the stream was empty/],
    ];
    it.each(cases)('%s', async (_what, attempt, code, message) => {
      const before = await artifactFiles(kit.artifactDir);
      const err = await attempt().then(() => undefined, (e) => e);
      expect(err).toMatchObject({ code });
      if (code !== Status.CANCELLED) expect(err.details).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
      // The server may still be cleaning up after a cancel: wait for its staging file to go.
      for (let i = 0; i < 50 && (await artifactFiles(kit.artifactDir)).length !== before.length; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await artifactFiles(kit.artifactDir)).toEqual(before);
      expect(await rowCount(kit.db, `name IN ('bad', 'ok')`)).toBe(0);
    });

    it('a lying header (declares 1000 bytes, sends 9 MiB, past the limit): DATA_LOSS once past the declared size, nothing stored', async () => {
      const big = new Uint8Array(9 * 1024 * 1024);
      const before = await artifactFiles(kit.artifactDir);
      await expect(upload(kit.client, 'bad', '2', big, { header: { sizeBytes: 1000 }, chunkBytes: 1024 * 1024 })).rejects.toMatchObject({
        code: Status.DATA_LOSS,
        details: expect.stringContaining('received more than the declared size_bytes 1000'),
      });
      expect(await artifactFiles(kit.artifactDir)).toEqual(before);
      expect(await rowCount(kit.db, `name = 'bad'`)).toBe(0);
    });
  });

  it('rejects unknown feature names through the injected vocabulary check', async () => {
    const strict = await startRegistry({}, { featureNameValidator: (ns) => ns.filter((n) => !n.startsWith('user.')) });
    try {
      await expect(upload(strict.client, 'm', '1', linear())).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
        details: expect.stringContaining('feature_names: unknown feature names ["item.price","match.category"]'),
      });
      expect(await artifactFiles(strict.artifactDir)).toEqual([]);
      expect(await sql(strict.db, 'SELECT * FROM ml_models')).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('checks feature names against @recsys/features by default (FEATURE_NAME_CHECK=vocabulary)', async () => {
    const strict = await startRegistry({ FEATURE_NAME_CHECK: 'vocabulary' });
    try {
      await expect(upload(strict.client, 'm', '1', linear())).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
        details: expect.stringContaining('feature_names: unknown feature names ["user.sessions","match.category"]'),
      });
      const known = buildLinearModel({ weights: [1, -1], bias: 0, featureNames: ['item.price', 'candidate.relevance'] });
      await expect(upload(strict.client, 'm', '2', known)).resolves.toMatchObject({ model: { featureNames: ['item.price', 'candidate.relevance'] } });
    } finally {
      await strict.close();
    }
  });
});
