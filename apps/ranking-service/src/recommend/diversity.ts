/**
 * Business re-rank: best score first (ties: item id, so answers are
 * deterministic), then at most `maxPerCategory` items of one catalog category.
 * Items of unknown category (not in the catalog, or no category) are not
 * capped: there is nothing to diversify them by. No backfill beyond the cap:
 * the contract promises the cap, and fewer than `count` items is a normal answer.
 */
export function pickTop<T extends { itemId: string; category: string | undefined }>(
  items: readonly T[],
  scores: ArrayLike<number>,
  count: number,
  maxPerCategory: number,
): { item: T; score: number }[] {
  const order = items.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || (items[a]!.itemId < items[b]!.itemId ? -1 : 1));
  const perCategory = new Map<string, number>();
  const out: { item: T; score: number }[] = [];
  for (const i of order) {
    if (out.length >= count) break;
    const item = items[i]!;
    if (item.category !== undefined) {
      const n = perCategory.get(item.category) ?? 0;
      if (n >= maxPerCategory) continue;
      perCategory.set(item.category, n + 1);
    }
    out.push({ item, score: scores[i]! });
  }
  return out;
}
