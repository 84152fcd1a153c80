/**
 * Ranking metrics with binary relevance: `ranked` is what a recommender
 * answered, best first; `relevant` what the user did later (held out). An item
 * counts once, at its first position. Standard definitions (Järvelin and
 * Kekäläinen's DCG with the log2(rank + 1) discount; recall and precision at
 * a cut-off), checked against hand-worked examples in the spec.
 */

/** The first `k` distinct items of `ranked`. */
function topK(ranked: readonly string[], k: number): string[] {
  const seen = new Set<string>();
  for (const item of ranked) {
    if (seen.size >= k) break;
    seen.add(item);
  }
  return [...seen];
}

/** Σ over the top k of 1 / log2(position + 1) for each relevant item (positions from 1). */
export function dcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return topK(ranked, k).reduce((sum, item, i) => (relevant.has(item) ? sum + 1 / Math.log2(i + 2) : sum), 0);
}

/** DCG@k divided by the best DCG@k any ranking could reach; undefined when nothing is relevant (skip the user). */
export function ndcgAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number | undefined {
  if (relevant.size === 0) return undefined;
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return dcgAtK(ranked, relevant, k) / ideal;
}

/** Share of the relevant items found in the top k; undefined when nothing is relevant. */
export function recallAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number | undefined {
  if (relevant.size === 0) return undefined;
  return topK(ranked, k).filter((item) => relevant.has(item)).length / relevant.size;
}

/** Share of the top k that is relevant (k in the denominator even when fewer were answered). */
export function precisionAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  return topK(ranked, k).filter((item) => relevant.has(item)).length / k;
}

/** The mean of the defined values; undefined when there are none. */
export function mean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : defined.reduce((a, b) => a + b, 0) / defined.length;
}
