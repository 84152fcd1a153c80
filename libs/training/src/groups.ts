import { plainMatrix, type FeatureRowInput } from '@recsys/features';
import type { RankingSet } from './lambdamart';

/** Relevance of what a visitor did with an item: the strongest kind counts. */
export const LABEL = { item_view: 1, product_view: 1, add_to_cart: 2, purchase: 3 } as const;

/** One ranking group of the dataset (a session, or a logged answer): its rows, labels and row ids. */
export interface Group {
  rows: FeatureRowInput[];
  labels: number[];
  ids: string[];
}

export function toSet(groups: readonly Group[], featureNames: readonly string[]): RankingSet {
  const rows = groups.flatMap((g) => g.rows);
  return {
    x: plainMatrix(featureNames, rows),
    width: featureNames.length,
    labels: groups.flatMap((g) => g.labels),
    groupSizes: groups.map((g) => g.rows.length),
    rowIds: groups.flatMap((g) => g.ids),
  };
}
