/**
 * The items whose co-visited neighbours make a candidate's `pair.coVisitation`
 * (match.co_visitation): the page's item, the session's recent items, the
 * cart and the visitor's favourite products, in that order. An item listed
 * twice (the page item is also a favourite) counts twice. Serving
 * (ranking-service's candidates) and the trainer's rows for a logged answer
 * both take their seeds from here.
 */
export function pairSeeds(contextItemId: string | undefined, recentItemIds: readonly string[], cartItemIds: readonly string[], favoriteProducts: readonly string[] | undefined): string[] {
  return [contextItemId, ...recentItemIds, ...cartItemIds, ...(favoriteProducts ?? [])].filter((s): s is string => Boolean(s));
}

/**
 * Sets each item's `share` to its `co` over the largest `co` among them
 * (match.co_visitation_share; all 0 when none has any): called on every item
 * the seeds reach, before any filter, by serving and by the trainer alike.
 * Two passes over the map, no copy: serving calls it on every Recommend.
 */
export function setCoVisitationShares(byItem: ReadonlyMap<string, { co: number; share: number }>): void {
  let strongest = 0;
  for (const e of byItem.values()) if (e.co > strongest) strongest = e.co;
  for (const e of byItem.values()) e.share = strongest > 0 ? e.co / strongest : 0;
}

/**
 * Items bought together per item in profile-service's item signals
 * (ItemSignal.bought_together); ranking adds their weights to the item's
 * co-visited neighbours', and so does the trainer.
 */
export const BOUGHT_TOGETHER_PER_ITEM = 10;
