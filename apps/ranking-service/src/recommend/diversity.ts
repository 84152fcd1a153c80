/**
 * Business re-rank: best score first (ties: item id, so answers are
 * deterministic), then at most `maxPerCategory` items of one catalog category.
 * Items of unknown category (not in the catalog, or no category) are not
 * capped: there is nothing to diversify them by. No backfill beyond the cap:
 * the contract promises the cap, and fewer than `count` items is a normal answer.
 *
 * Only the head of the order is needed (`count` items plus those the cap
 * skips), so candidates are heapified (O(n)) and popped in order instead of
 * fully sorted: for 1,000 candidates and a count of 10 that is a few hundred
 * comparisons instead of ~10,000.
 */
export function pickTop<T extends { itemId: string }>(
  items: readonly T[],
  scores: ArrayLike<number>,
  count: number,
  maxPerCategory: number,
  categoryOf: (item: T) => string | undefined,
): { item: T; score: number }[] {
  const heap = new Int32Array(items.length);
  for (let i = 0; i < heap.length; i++) heap[i] = i;
  let size = heap.length;
  const before = (a: number, b: number) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    return sa > sb || (sa === sb && items[a]!.itemId < items[b]!.itemId);
  };
  const siftDown = (from: number) => {
    const top = heap[from]!;
    let pos = from;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= size) break;
      if (child + 1 < size && before(heap[child + 1]!, heap[child]!)) child++;
      if (!before(heap[child]!, top)) break;
      heap[pos] = heap[child]!;
      pos = child;
    }
    heap[pos] = top;
  };
  for (let p = (size >> 1) - 1; p >= 0; p--) siftDown(p);

  const perCategory = new Map<string, number>();
  const out: { item: T; score: number }[] = [];
  while (size > 0 && out.length < count) {
    const i = heap[0]!;
    heap[0] = heap[--size]!;
    siftDown(0);
    const item = items[i]!;
    const category = categoryOf(item);
    if (category !== undefined) {
      const n = perCategory.get(category) ?? 0;
      if (n >= maxPerCategory) continue;
      perCategory.set(category, n + 1);
    }
    out.push({ item, score: scores[i]! });
  }
  return out;
}
