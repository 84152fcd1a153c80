// Scores from real ONNX models (libs/onnx, known parameters) run in the worker
// thread and on the service thread (small models), checked against the same
// formulas computed in TypeScript, for every output shape the contract allows;
// and which models may score on the service thread.
import { buildClassifierModel, buildLinearModel, buildMlpModel, buildTreeEnsembleModel, randomTreeEnsemble, scoreTreeEnsemble } from '@recsys/onnx';
import { createHash } from 'node:crypto';
import { binding } from 'onnxruntime-node/dist/binding';
import { INLINE_MAX_ROWS, type ModelIdentity } from '../src/model/loaded-model';
import { InvalidModelError, ModelPool, type MainThreadRule } from '../src/model/model-pool';
import { expectedScores, expectScores, FEATURES, rows } from './model-test-kit';

const W = { weights: [0.5, -1.25, 2], bias: 0.1 };
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function identity(bytes: Uint8Array, outputName = 'score', inputName = 'features'): ModelIdentity {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { name: 'default', version: sha256.slice(0, 8), sha256, featureNames: FEATURES, inputName, outputName };
}

// Timing never decides a test: the service-thread variant accepts any probe time.
const EVERY_SMALL_MODEL: MainThreadRule = { maxBytes: 1_000_000, maxProbeMs: Infinity, maxWorkerProbeMs: Infinity };

describe.each([
  ['in the worker', false as const],
  ['on the service thread', EVERY_SMALL_MODEL],
])('scoring real ONNX models %s', (_where, mainThread) => {
  let pool: ModelPool;

  beforeAll(() => {
    pool = new ModelPool({ releaseGraceMs: 0, onWorkerLost: () => undefined, mainThread });
  });

  afterAll(async () => {
    await pool.close();
  });

  async function score(bytes: Uint8Array, x: Float32Array, n: number, outputName?: string, inputName?: string): Promise<Float32Array> {
    const model = await pool.acquire(identity(bytes, outputName, inputName), async () => bytes);
    expect(model.runsOnMainThread).toBe(mainThread !== false);
    try {
      return await model.score(x, n);
    } finally {
      model.unref();
    }
  }

  it('linear, output [N,1] and [N]', async () => {
    const x = rows(100);
    for (const outputShape of ['N1', 'N'] as const) {
      expectScores(await score(buildLinearModel({ ...W, featureNames: FEATURES, outputShape }), x, 100), expectedScores(W, x));
    }
  });

  it('logistic regression (sigmoid output)', async () => {
    const x = rows(50, FEATURES.length, 3);
    const want = expectedScores(W, x).map(sigmoid);
    expectScores(await score(buildLinearModel({ ...W, featureNames: FEATURES, sigmoid: true }), x, 50), want);
  });

  it('a [N,2] classifier scores with its positive-class column', async () => {
    const x = rows(40, FEATURES.length, 5);
    const bytes = buildClassifierModel({ ...W, featureNames: FEATURES });
    expectScores(await score(bytes, x, 40, 'probabilities'), expectedScores(W, x).map(sigmoid));
  });

  it('an MLP with relu', async () => {
    const layers = [
      { weights: [[1, -1], [0.5, 2], [-1, 0.25]], bias: [0.1, -0.2] },
      { weights: [[1.5], [-0.75]], bias: [0.05] },
    ];
    const x = rows(30, FEATURES.length, 9);
    const want: number[] = [];
    for (let r = 0; r < 30; r++) {
      const hidden = [0, 1].map((j) => Math.max(0, layers[0]!.bias[j]! + FEATURES.reduce((s, _, i) => s + x[r * 3 + i]! * layers[0]!.weights[i]![j]!, 0)));
      want.push(layers[1]!.bias[0]! + hidden[0]! * 1.5 + hidden[1]! * -0.75);
    }
    expectScores(await score(buildMlpModel({ layers, featureNames: FEATURES }), x, 30), want);
  });

  it('a tree ensemble, against the same trees walked in TypeScript', async () => {
    const trees = randomTreeEnsemble({ trees: 50, depth: 5, features: FEATURES.length, seed: 11 });
    const x = rows(200, FEATURES.length, 13).map((v) => (v + 2) / 4); // thresholds are in [0, 1)
    const want = Array.from({ length: 200 }, (_, r) => scoreTreeEnsemble(trees, x.subarray(r * 3, r * 3 + 3), 0.25));
    expectScores(await score(buildTreeEnsembleModel({ trees, featureNames: FEATURES, baseValue: 0.25 }), x, 200), want);
  });

  it('an empty input/output name means the model’s only one', async () => {
    const x = rows(5);
    expectScores(await score(buildLinearModel({ ...W, featureNames: FEATURES, inputName: 'x', outputName: 'y' }), x, 5, '', ''), expectedScores(W, x));
  });

  it('refuses at load a model whose output is not a score', async () => {
    const bytes = buildLinearModel({ ...W, featureNames: FEATURES });
    await expect(pool.acquire(identity(bytes, 'nope'), async () => bytes)).rejects.toThrow(InvalidModelError);
    await expect(pool.acquire(identity(bytes, 'nope'), async () => bytes)).rejects.toThrow(/"nope" is not an output of the model/);
  });

  it('scores a batch of zero rows without calling the model, and rejects a matrix of the wrong size', async () => {
    const bytes = buildLinearModel({ ...W, featureNames: FEATURES });
    expect(await score(bytes, new Float32Array(0), 0)).toHaveLength(0);
    await expect(score(bytes, new Float32Array(7), 2)).rejects.toThrow(/expected 2 rows of 3 features/);
  });
});

describe('where a model scores', () => {
  const pools: ModelPool[] = [];
  const poolWith = (mainThread?: MainThreadRule | false) => {
    const p = new ModelPool({ releaseGraceMs: 0, onWorkerLost: () => undefined, mainThread });
    pools.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of pools) await p.close();
  });

  const mlp = (hidden: number, seed: number) => {
    let x = seed;
    const rnd = () => ((x = (x * 16807) % 2147483647) / 2147483647 - 0.5) * 0.5;
    return buildMlpModel({
      featureNames: FEATURES,
      layers: [
        { weights: FEATURES.map(() => Array.from({ length: hidden }, rnd)), bias: Array.from({ length: hidden }, rnd) },
        { weights: Array.from({ length: hidden }, () => [rnd()]), bias: [rnd()] },
      ],
    });
  };

  it('on the service thread, a Recommend-sized batch scores without waiting for the event loop; a bigger one lets waiting I/O go first', async () => {
    const bytes = mlp(8, 5);
    const model = await poolWith(EVERY_SMALL_MODEL).acquire(identity(bytes), async () => bytes);
    const scoredBefore = async (n: number) => {
      let loopTurned = false;
      setImmediate(() => (loopTurned = true));
      const scores = await model.score(rows(n, FEATURES.length, 9), n);
      expect(scores).toHaveLength(n);
      return !loopTurned;
    };
    // onnxruntime's public run() would defer the run to setImmediate (inline-session.ts): not here.
    expect(await scoredBefore(INLINE_MAX_ROWS)).toBe(true);
    expect(await scoredBefore(INLINE_MAX_ROWS + 1)).toBe(false);
  });

  it('the same model gives the same scores on the service thread as in the worker', async () => {
    const bytes = mlp(64, 3);
    const x = rows(100, FEATURES.length, 21);
    const main = await poolWith(EVERY_SMALL_MODEL).acquire(identity(bytes), async () => bytes);
    const worker = await poolWith(false).acquire(identity(bytes), async () => bytes);
    expect(main.runsOnMainThread).toBe(true);
    expect(worker.runsOnMainThread).toBe(false);
    expect(Array.from(await main.score(x, 100))).toEqual(Array.from(await worker.score(x, 100)));
    main.unref();
    worker.unref();
  });

  it('a model file over the size limit scores in the worker only, whatever its speed', async () => {
    const bytes = mlp(90_000, 5); // ~1.8 MB of float weights
    expect(bytes.byteLength).toBeGreaterThan(1_000_000);
    const model = await poolWith().acquire(identity(bytes), async () => bytes);
    expect(model.runsOnMainThread).toBe(false);
    expect(await model.score(rows(3), 3)).toHaveLength(3);
    model.unref();
  });

  it('a model slower than the probe limit on the service thread scores in the worker only', async () => {
    const bytes = mlp(8, 7);
    const model = await poolWith({ maxBytes: 1_000_000, maxProbeMs: -1, maxWorkerProbeMs: Infinity }).acquire(identity(bytes), async () => bytes);
    expect(model.runsOnMainThread).toBe(false);
    expect(await model.score(rows(3), 3)).toHaveLength(3);
    model.unref();
  });

  it("a model over the worker probe's pre-filter is never tried on the service thread", async () => {
    const bytes = mlp(8, 8);
    // The service-thread session is made through the binding (inline-session.ts).
    const inline = jest.spyOn(binding, 'InferenceSession');
    try {
      const model = await poolWith({ maxBytes: 1_000_000, maxProbeMs: Infinity, maxWorkerProbeMs: -1 }).acquire(identity(bytes), async () => bytes);
      expect(model.runsOnMainThread).toBe(false);
      expect(inline).not.toHaveBeenCalled();
      model.unref();
    } finally {
      inline.mockRestore();
    }
  });

  it('a released small model refuses to score (its service-thread session is gone too)', async () => {
    const bytes = mlp(16, 9);
    const model = await poolWith(EVERY_SMALL_MODEL).acquire(identity(bytes), async () => bytes);
    expect(model.runsOnMainThread).toBe(true);
    model.unref();
    await new Promise((r) => setTimeout(r, 20));
    expect(model.isReleased).toBe(true);
    await expect(model.score(rows(2), 2)).rejects.toThrow(/was released/);
  });
});
