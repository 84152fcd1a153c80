import { CO_VISITATION_WEIGHT, plainFeatureValue, type FeatureRowInput } from '@recsys/features';
import { scoreTreeEnsemble, type TreeNode } from '@recsys/onnx';
import { groupNdcg, type RankingSet } from './lambdamart';

/** Scores of a tree ensemble on every row of `set`. */
export function treeScores(trees: readonly TreeNode[], set: RankingSet): Float64Array {
  const out = new Float64Array(set.labels.length);
  for (let r = 0; r < out.length; r++) out[r] = scoreTreeEnsemble(trees, set.x.subarray(r * set.width, (r + 1) * set.width));
  return out;
}

/** What a trained model is compared with, per row of a split: scores of the same rows. */
export interface BaselineScores {
  popularity: Float64Array;
  heuristic: Float64Array;
}

/**
 * The rankings a trained model is compared with, on the same rows (groups of
 * feature rows, as the dataset builds them): behaviour popularity alone
 * (item.behaviour_popularity), and ranking-service's heuristic without its
 * fixed boosts — popularity share + CO_VISITATION_WEIGHT × co-visitation
 * share within each group (the shares of ln(1 + popularity) and of the summed
 * co-visitation, as in heuristic.ts). From the rows' inputs, by the
 * vocabulary's definitions: neither needs to be a feature the model is
 * trained on.
 */
export function baselineScores(groups: readonly { rows: readonly FeatureRowInput[] }[]): BaselineScores {
  const rows = groups.flatMap((g) => g.rows);
  const popularity = Float64Array.from(rows, (r) => plainFeatureValue('item.behaviour_popularity', r));
  const co = Float64Array.from(rows, (r) => r.pair?.coVisitation ?? 0);
  const heuristic = new Float64Array(rows.length);
  let start = 0;
  for (const { rows: group } of groups) {
    const end = start + group.length;
    let maxP = 0;
    let maxC = 0;
    for (let r = start; r < end; r++) {
      maxP = Math.max(maxP, popularity[r]!);
      maxC = Math.max(maxC, co[r]!);
    }
    for (let r = start; r < end; r++) heuristic[r] = (maxP > 0 ? popularity[r]! / maxP : 0) + CO_VISITATION_WEIGHT * (maxC > 0 ? co[r]! / maxC : 0);
    start = end;
  }
  return { popularity, heuristic };
}

/** NDCG@k of the model and of the baselines on the validation set. */
export function compareOnValidation(trees: readonly TreeNode[], validation: RankingSet, baselines: BaselineScores, k: number) {
  return {
    model: groupNdcg(validation, treeScores(trees, validation), k),
    popularity: groupNdcg(validation, baselines.popularity, k),
    heuristic: groupNdcg(validation, baselines.heuristic, k),
  };
}
