import * as ort from 'onnxruntime-node';
import { buildTreeEnsembleModel, scoreTreeEnsemble, seededRandom } from '@recsys/onnx';
import { groupNdcg, trainLambdaMart, type RankingSet } from './lambdamart';

/**
 * Groups of `size` rows, 3 features uniform in 0..1; relevant when
 * f0 + 0.5·f1 > 1.1 (f2 is noise): a ranking known in advance. With
 * `positivesFirst`, each group lists its relevant rows first.
 */
function makeSet(groups: number, size: number, seed: number, positivesFirst = false): RankingSet {
  const rnd = seededRandom(seed);
  const rows: { x: number[]; label: number }[][] = [];
  for (let g = 0; g < groups; g++) {
    const group = Array.from({ length: size }, () => {
      const x = [rnd(), rnd(), rnd()];
      return { x, label: x[0]! + 0.5 * x[1]! > 1.1 ? 1 : 0 };
    });
    if (positivesFirst) group.sort((a, b) => b.label - a.label);
    rows.push(group);
  }
  const flat = rows.flat();
  return {
    x: Float32Array.from(flat.flatMap((r) => r.x)),
    width: 3,
    labels: flat.map((r) => r.label),
    groupSizes: rows.map((g) => g.length),
    rowIds: flat.map((_, i) => `s${seed}-row-${i}`),
  };
}

describe('LambdaMART', () => {
  it('learns a known ranking: validation NDCG@10 near 1, far above ranking by the noise feature', () => {
    const train = makeSet(300, 20, 1);
    const valid = makeSet(100, 20, 2);
    const model = trainLambdaMart(train, valid, { trees: 60, patience: 10 });
    expect(model.bestRound).toBeGreaterThan(0);
    const scores = Array.from({ length: valid.labels.length }, (_, r) => scoreTreeEnsemble(model.trees, valid.x.subarray(r * 3, r * 3 + 3)));
    const learned = groupNdcg(valid, scores, 10);
    expect(learned).toBeGreaterThan(0.95);
    const byNoise = groupNdcg(valid, Array.from({ length: valid.labels.length }, (_, r) => valid.x[r * 3 + 2]!), 10);
    expect(learned).toBeGreaterThan(byNoise + 0.3);
    expect(model.validationNdcg[model.bestRound]).toBeCloseTo(learned, 9);
  });

  it('ties do not follow input order: with positives listed first, the all-zero start is not a perfect NDCG and training keeps trees', () => {
    const train = makeSet(200, 20, 3, true);
    const valid = makeSet(80, 20, 4, true);
    // Ranked by input order the constant start would score 1 and stop early at round 0.
    expect(groupNdcg(valid, new Float64Array(valid.labels.length), 10)).toBeLessThan(0.9);
    const model = trainLambdaMart(train, valid, { trees: 30, patience: 5 });
    expect(model.bestRound).toBeGreaterThan(0);
    expect(model.validationNdcg[model.bestRound]!).toBeGreaterThan(model.validationNdcg[0]! + 0.2);
    // The same rows in another order within their groups: the same start.
    const reversed: RankingSet = { ...valid };
    const order: number[] = [];
    let start = 0;
    for (const size of valid.groupSizes) {
      for (let i = size - 1; i >= 0; i--) order.push(start + i);
      start += size;
    }
    reversed.x = Float32Array.from(order.flatMap((r) => Array.from(valid.x.subarray(r * 3, r * 3 + 3))));
    reversed.labels = order.map((r) => valid.labels[r]!);
    reversed.rowIds = order.map((r) => valid.rowIds[r]!);
    expect(groupNdcg(reversed, new Float64Array(order.length), 10)).toBe(groupNdcg(valid, new Float64Array(order.length), 10));
  });

  it('exports to an ONNX TreeEnsembleRegressor that scores as the trained trees (1e-5)', async () => {
    const model = trainLambdaMart(makeSet(100, 20, 5), makeSet(40, 20, 6), { trees: 20, patience: 20 });
    const test = makeSet(10, 20, 7);
    const session = await ort.InferenceSession.create(buildTreeEnsembleModel({ trees: model.trees, featureNames: ['f0', 'f1', 'f2'] }));
    const out = (await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', test.x, [test.labels.length, 3]) }))[session.outputNames[0]!]!;
    await session.release();
    for (let r = 0; r < test.labels.length; r++) {
      expect(Math.abs((out.data as Float32Array)[r]! - scoreTreeEnsemble(model.trees, test.x.subarray(r * 3, r * 3 + 3)))).toBeLessThan(1e-5);
    }
  }, 60_000);
});
