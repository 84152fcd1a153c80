import { CO_VISITATION_WEIGHT } from '@recsys/features';
import { scoreTreeEnsemble, type TreeNode } from '@recsys/onnx';
import { groupNdcg, type RankingSet } from './lambdamart';

/** Scores of a tree ensemble on every row of `set`. */
export function treeScores(trees: readonly TreeNode[], set: RankingSet): Float64Array {
  const out = new Float64Array(set.labels.length);
  for (let r = 0; r < out.length; r++) out[r] = scoreTreeEnsemble(trees, set.x.subarray(r * set.width, (r + 1) * set.width));
  return out;
}

/** A column of the set by feature name. */
function column(set: RankingSet, names: readonly string[], name: string): Float64Array {
  const f = names.indexOf(name);
  if (f < 0) throw new Error(`the dataset has no column ${name}`);
  return Float64Array.from({ length: set.labels.length }, (_, r) => set.x[r * set.width + f]!);
}

/**
 * The rankings a trained model is compared with, on the same rows: behaviour
 * popularity alone (item.behaviour_popularity), and ranking-service's
 * heuristic without its fixed boosts — popularity share + CO_VISITATION_WEIGHT
 * × co-visitation share within each group (the shares of ln(1 + popularity)
 * and of the summed co-visitation, as in heuristic.ts).
 */
export function baselineScores(set: RankingSet, names: readonly string[]): { popularity: Float64Array; heuristic: Float64Array } {
  const popularity = column(set, names, 'item.behaviour_popularity');
  const co = column(set, names, 'match.co_visitation').map((v) => Math.expm1(v));
  const heuristic = new Float64Array(popularity.length);
  let start = 0;
  for (const size of set.groupSizes) {
    let maxP = 0;
    let maxC = 0;
    for (let r = start; r < start + size; r++) {
      maxP = Math.max(maxP, popularity[r]!);
      maxC = Math.max(maxC, co[r]!);
    }
    for (let r = start; r < start + size; r++) heuristic[r] = (maxP > 0 ? popularity[r]! / maxP : 0) + CO_VISITATION_WEIGHT * (maxC > 0 ? co[r]! / maxC : 0);
    start += size;
  }
  return { popularity, heuristic };
}

/** NDCG@k of the model and of the baselines on the validation set. */
export function compareOnValidation(trees: readonly TreeNode[], validation: RankingSet, names: readonly string[], k: number) {
  const base = baselineScores(validation, names);
  return {
    model: groupNdcg(validation, treeScores(trees, validation), k),
    popularity: groupNdcg(validation, base.popularity, k),
    heuristic: groupNdcg(validation, base.heuristic, k),
  };
}
