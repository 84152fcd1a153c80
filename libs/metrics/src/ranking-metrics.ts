/**
 * Ranking metrics with binary relevance: `ranked` is what a recommender
 * answered, best first; `relevant` what the user did later (held out). An item
 * counts once, at its first position. Standard definitions (Järvelin and
 * Kekäläinen's DCG with the log2(rank + 1) discount; recall and precision at
 * a cut-off; MAP, hit rate, MRR; per-user AUC), checked against hand-worked
 * examples in the spec.
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

/**
 * Average precision at k: Σ over the positions i ≤ k holding a relevant item
 * of precision@i, divided by min(|relevant|, k) (so a user with fewer than k
 * relevant items can still reach 1); undefined when nothing is relevant. The
 * mean over users is MAP@k.
 */
export function averagePrecisionAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number | undefined {
  if (relevant.size === 0) return undefined;
  let hits = 0;
  let sum = 0;
  topK(ranked, k).forEach((item, i) => {
    if (!relevant.has(item)) return;
    hits++;
    sum += hits / (i + 1);
  });
  return sum / Math.min(relevant.size, k);
}

/** Hit rate at k: 1 when any relevant item is in the top k, else 0; undefined when nothing is relevant. */
export function hitRateAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number | undefined {
  if (relevant.size === 0) return undefined;
  return topK(ranked, k).some((item) => relevant.has(item)) ? 1 : 0;
}

/** Reciprocal rank at k: 1 / the position of the first relevant item in the top k, 0 when none is; undefined when nothing is relevant. */
export function reciprocalRankAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number | undefined {
  if (relevant.size === 0) return undefined;
  const at = topK(ranked, k).findIndex((item) => relevant.has(item));
  return at < 0 ? 0 : 1 / (at + 1);
}

export interface ScoredItem {
  itemId: string;
  score: number;
}

/**
 * Per-user AUC over the items a model scored: the share of (relevant, other)
 * pairs in which the relevant item scores higher, a tie counting one half
 * (the Mann–Whitney U with mid-ranks). Undefined when the scored items are
 * all relevant or none is.
 */
export function aucOf(scored: readonly ScoredItem[], relevant: ReadonlySet<string>): number | undefined {
  const sorted = [...scored].sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const midRank = (i + 1 + j) / 2; // ranks i+1..j share their mean
    for (let m = i; m < j; m++) {
      if (relevant.has(sorted[m]!.itemId)) {
        positives++;
        rankSum += midRank;
      }
    }
    i = j;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Item ids best score first, equal scores in the order of a hash of the id:
 * the same ranking whatever order the items came in. Ranked lists fed to the
 * metrics above must not keep their input order among ties — with the
 * relevant items listed first, a model scoring everything the same would
 * look perfect.
 */
export function rankByScore(scored: readonly ScoredItem[]): string[] {
  return [...scored]
    .map((s) => ({ ...s, h: idHash(s.itemId) }))
    .sort((a, b) => b.score - a.score || a.h - b.h || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0))
    .map((s) => s.itemId);
}

/** FNV-1a, 32 bits, of the id's UTF-16 code units: the order of equal scores in rankByScore. */
export function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The mean of the defined values; undefined when there are none. */
export function mean(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : defined.reduce((a, b) => a + b, 0) / defined.length;
}
