import { plainMatrix, type FeatureRowInput, type ItemBehaviour, type UserInput } from '@recsys/features';
import type { CatalogItem } from './behaviour-state';
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

/** What every row of one group shares, and where each item's own inputs come from. */
export interface GroupInputs {
  catalog: ReadonlyMap<string, CatalogItem>;
  user: UserInput | undefined;
  /** The request's time (epoch ms): time features. */
  time: number;
  behaviour: (itemId: string) => ItemBehaviour | undefined;
  co: ReadonlyMap<string, { co: number; share: number }>;
  labels: ReadonlyMap<string, number>;
}

/**
 * A group of `itemIds`, one row per item as serving assembles it (the
 * catalog's item with its behaviour, the user, the time, the pair signals),
 * labelled; row ids are `key` and the item id.
 */
export function groupOf(key: string, itemIds: Iterable<string>, g: GroupInputs): Group {
  const group: Group = { rows: [], labels: [], ids: [] };
  for (const itemId of itemIds) {
    const c = g.catalog.get(itemId);
    const co = g.co.get(itemId);
    group.rows.push({
      itemId,
      user: g.user,
      item: { inCatalog: c !== undefined, category: c?.category, brand: c?.brand, price: c?.price, behaviour: g.behaviour(itemId) },
      context: { time: new Date(g.time) },
      pair: { coVisitation: co?.co ?? 0, coVisitationShare: co?.share ?? 0 },
    });
    group.labels.push(g.labels.get(itemId) ?? 0);
    group.ids.push(`${key}\u0000${itemId}`);
  }
  return group;
}
