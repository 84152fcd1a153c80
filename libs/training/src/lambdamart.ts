import { idHash, mean, ndcgAtK, rankByScore } from '@recsys/metrics';
import { scoreTreeEnsemble, type TreeNode } from '@recsys/onnx';
import { binMatrix, fitTree, type BinnedMatrix } from './regression-tree';

/**
 * Examples grouped for a ranking objective: the rows of one group (a user, or
 * one logged answer) are contiguous; `groupSizes` says how many each has.
 */
export interface RankingSet {
  /** Row-major features, rows × width, float32 as ONNX models see them. */
  x: Float32Array;
  width: number;
  /** Relevance per row: 0 not relevant; higher is better (e.g. view 1, cart 2, purchase 3). */
  labels: ArrayLike<number>;
  groupSizes: readonly number[];
  /** An id per row (an example id): equal scores are ordered by its hash, never by input order. */
  rowIds: readonly string[];
}

export interface LambdaMartOptions {
  /** Most trees (boosting rounds). */
  trees: number;
  maxDepth: number;
  learningRate: number;
  minLeafRows: number;
  l2: number;
  /** NDCG cut-off of the objective and of early stopping. */
  k: number;
  /** Stop after this many rounds without a better validation NDCG@k. */
  patience: number;
  /** Histogram bins per feature. */
  maxBins: number;
}

export const DEFAULT_LAMBDAMART: LambdaMartOptions = { trees: 50, maxDepth: 4, learningRate: 0.1, minLeafRows: 20, l2: 1, k: 10, patience: 20, maxBins: 64 };

export interface TrainedTrees {
  trees: TreeNode[];
  /** Validation NDCG@k after each round (index 0: before any tree). */
  validationNdcg: number[];
  /** Rounds kept: the best validation NDCG@k. */
  bestRound: number;
  options: LambdaMartOptions;
}

/** Mean NDCG@k over the groups with a relevant row, ranked by `scores` (ties by row id hash). */
export function groupNdcg(set: RankingSet, scores: ArrayLike<number>, k: number): number {
  const values: (number | undefined)[] = [];
  let start = 0;
  for (const size of set.groupSizes) {
    const scored = [];
    const relevant = new Set<string>();
    for (let r = start; r < start + size; r++) {
      scored.push({ itemId: set.rowIds[r]!, score: scores[r]! });
      if (set.labels[r]! > 0) relevant.add(set.rowIds[r]!);
    }
    values.push(ndcgAtK(rankByScore(scored), relevant, k));
    start += size;
  }
  return mean(values) ?? 0;
}

/**
 * LambdaMART (Burges 2010): gradient-boosted regression trees whose
 * gradients are RankNet's pairwise ones scaled by how much swapping the pair
 * changes NDCG@k, with gain 2^label − 1. Positions come from the current
 * scores with ties broken by the row id's hash (rankByScore), so neither the
 * objective nor early stopping depends on the input order of tied rows: with
 * positives listed first, NDCG of the all-zero start would otherwise be 1 and
 * early stopping would keep no tree.
 */
export function trainLambdaMart(
  train: RankingSet,
  validation: RankingSet,
  options: Partial<LambdaMartOptions> = {},
  /** Called after each round with its validation NDCG@k (progress; not a hyperparameter, so not in `options`). */
  onRound?: (round: number, validationNdcg: number) => void,
): TrainedTrees {
  const o = { ...DEFAULT_LAMBDAMART, ...options };
  const rows = train.groupSizes.reduce((a, b) => a + b, 0);
  const binned: BinnedMatrix = binMatrix(train.x, rows, train.width, o.maxBins);
  const scores = new Float64Array(rows);
  const validScores = new Float64Array(validation.labels.length);
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  const trees: TreeNode[] = [];
  const validationNdcg = [groupNdcg(validation, validScores, o.k)];
  let best = 0;
  const g = new Float64Array(rows);
  const h = new Float64Array(rows);
  const hashes = Uint32Array.from(train.rowIds, idHash);
  for (let round = 1; round <= o.trees; round++) {
    lambdas(train, scores, o.k, g, h, hashes);
    const tree = fitTree(binned, g, h, all, { maxDepth: o.maxDepth, minLeafRows: o.minLeafRows, l2: o.l2, shrinkage: o.learningRate });
    trees.push(tree);
    for (let r = 0; r < rows; r++) scores[r] += scoreTreeEnsemble([tree], train.x.subarray(r * train.width, (r + 1) * train.width));
    for (let r = 0; r < validScores.length; r++) {
      validScores[r] += scoreTreeEnsemble([tree], validation.x.subarray(r * validation.width, (r + 1) * validation.width));
    }
    validationNdcg.push(groupNdcg(validation, validScores, o.k));
    onRound?.(round, validationNdcg[round]!);
    if (validationNdcg[round]! > validationNdcg[best]! + 1e-12) best = round;
    else if (round - best >= o.patience) break;
  }
  return { trees: trees.slice(0, best), validationNdcg, bestRound: best, options: o };
}

/** The pairwise lambda gradients (of a loss to minimise) and hessians of every row, group by group. */
function lambdas(set: RankingSet, scores: Float64Array, k: number, g: Float64Array, h: Float64Array, hashes: Uint32Array) {
  g.fill(0);
  h.fill(0);
  const discount = (p: number) => (p <= k ? 1 / Math.log2(p + 1) : 0);
  let start = 0;
  for (const size of set.groupSizes) {
    const idx = Array.from({ length: size }, (_, i) => start + i);
    const gain = (r: number) => 2 ** set.labels[r]! - 1;
    const ideal = idx.map(gain).sort((a, b) => b - a);
    let idcg = 0;
    for (let p = 0; p < Math.min(k, size); p++) idcg += ideal[p]! * discount(p + 1);
    if (idcg > 0) {
      // The current ranking, ties by the row id's hash (rankByScore's order, without hashing every round).
      const ranked = [...idx].sort((a, b) => scores[b]! - scores[a]! || hashes[a]! - hashes[b]! || (set.rowIds[a]! < set.rowIds[b]! ? -1 : 1));
      const position = new Map<number, number>();
      ranked.forEach((r, p) => position.set(r, p + 1));
      for (const i of idx) {
        if (set.labels[i]! <= 0) continue;
        for (const j of idx) {
          if (set.labels[i]! <= set.labels[j]!) continue; // i should rank above j
          const delta = Math.abs((gain(i) - gain(j)) * (discount(position.get(i)!) - discount(position.get(j)!))) / idcg;
          if (delta === 0) continue;
          const rho = 1 / (1 + Math.exp(scores[i]! - scores[j]!));
          g[i] -= rho * delta;
          g[j] += rho * delta;
          const w = rho * (1 - rho) * delta;
          h[i] += w;
          h[j] += w;
        }
      }
    }
    start += size;
  }
}
