import * as ort from 'onnxruntime-node';
import {
  buildClassifierModel,
  buildLinearModel,
  buildMlpModel,
  buildTreeEnsembleModel,
  randomTreeEnsemble,
  readModelMetadata,
  scoreTreeEnsemble,
  seededRandom,
  type TreeNode,
} from './index';

async function run(bytes: Uint8Array, rows: number[][]): Promise<{ dims: readonly number[]; data: Float32Array; session: ort.InferenceSession }> {
  const session = await ort.InferenceSession.create(bytes);
  const F = rows[0].length;
  const x = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, F]);
  const out = await session.run({ [session.inputNames[0]]: x });
  const y = out[session.outputNames[0]];
  await session.release();
  return { dims: y.dims, data: y.data as Float32Array, session };
}

const rnd = seededRandom(7);
const matrix = (n: number, f: number) => Array.from({ length: n }, () => Array.from({ length: f }, () => rnd() * 2 - 1));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const dot = (x: number[], w: number[]) => x.reduce((s, v, i) => s + v * w[i], 0);

describe('ONNX builders, checked against onnxruntime', () => {
  const names = ['user.a', 'item.b', 'match.c'];
  const rows = matrix(5, 3);

  it('linear: x·w + b with output [N, 1]', async () => {
    const w = [0.5, -1.25, 2];
    const { dims, data } = await run(buildLinearModel({ weights: w, bias: 0.1, featureNames: names }), rows);
    expect(dims).toEqual([5, 1]);
    rows.forEach((x, i) => expect(data[i]).toBeCloseTo(dot(x, w) + 0.1, 5));
  });

  it('logistic with output [N] and custom names', async () => {
    const w = [1, 2, 3];
    const bytes = buildLinearModel({ weights: w, bias: -0.5, featureNames: names, sigmoid: true, outputShape: 'N', inputName: 'X', outputName: 'Y' });
    const { dims, data } = await run(bytes, rows);
    expect(dims).toEqual([5]);
    rows.forEach((x, i) => expect(data[i]).toBeCloseTo(sigmoid(dot(x, w) - 0.5), 5));
    const meta = readModelMetadata(bytes);
    expect(meta.inputs).toEqual([{ name: 'X', elemType: 1, dims: ['N', 3] }]);
    expect(meta.outputs).toEqual([{ name: 'Y', elemType: 1, dims: ['N'] }]);
  });

  it('classifier: [N, 2] probabilities, column 1 = sigmoid(x·w + b)', async () => {
    const w = [0.3, -0.7, 1.1];
    const { dims, data } = await run(buildClassifierModel({ weights: w, bias: 0.2, featureNames: names }), rows);
    expect(dims).toEqual([5, 2]);
    rows.forEach((x, i) => {
      const p = sigmoid(dot(x, w) + 0.2);
      expect(data[2 * i + 1]).toBeCloseTo(p, 5);
      expect(data[2 * i]).toBeCloseTo(1 - p, 5);
    });
  });

  it.each(['relu', 'tanh'] as const)('MLP 3→4→1 with %s and a sigmoid output', async (activation) => {
    const l0 = { weights: matrix(3, 4), bias: [0.1, -0.2, 0.3, 0] };
    const l1 = { weights: matrix(4, 1), bias: [0.05] };
    const act = activation === 'relu' ? (v: number) => Math.max(0, v) : Math.tanh;
    const expected = rows.map((x) => {
      const h = l0.bias.map((b, j) => act(x.reduce((s, v, k) => s + v * l0.weights[k][j], b)));
      return sigmoid(h.reduce((s, v, k) => s + v * l1.weights[k][0], l1.bias[0]));
    });
    const { dims, data } = await run(buildMlpModel({ layers: [l0, l1], activation, featureNames: names, sigmoidOutput: true }), rows);
    expect(dims).toEqual([5, 1]);
    expected.forEach((e, i) => expect(data[i]).toBeCloseTo(e, 5));
  });

  it('tree ensemble: a hand-written tree and a random ensemble match the TypeScript evaluation', async () => {
    const tree: TreeNode = { feature: 1, threshold: 0, left: { value: 1 }, right: { feature: 2, threshold: 0.5, left: { value: 2 }, right: { value: 3 } } };
    const x = [
      [0, -1, 0],
      [0, 1, 0],
      [0, 1, 1],
    ];
    const small = await run(buildTreeEnsembleModel({ trees: [tree], featureNames: names, baseValue: 10 }), x);
    expect(small.dims).toEqual([3, 1]);
    expect(Array.from(small.data)).toEqual([11, 12, 13]);

    const trees = randomTreeEnsemble({ trees: 20, depth: 4, features: 3, seed: 1 });
    const inputs = matrix(50, 3).map((r) => r.map((v) => (v + 1) / 2));
    const big = await run(buildTreeEnsembleModel({ trees, featureNames: names, baseValue: 0.5 }), inputs);
    inputs.forEach((r, i) => expect(big.data[i]).toBeCloseTo(scoreTreeEnsemble(trees, r, 0.5), 4));
  });

  it('refuses weights that do not match the feature names', () => {
    expect(() => buildLinearModel({ weights: [1, 2], bias: 0, featureNames: names })).toThrow('weights has 2 input columns but 3 feature names were given');
    expect(() => buildTreeEnsembleModel({ trees: [{ feature: 5, threshold: 0, left: { value: 0 }, right: { value: 1 } }], featureNames: names })).toThrow(
      'tree 0 splits on feature 5',
    );
  });
});
