// Interaction data for the offline evaluation: a file (CSV with a header
// naming user_id, item_id, timestamp and optionally kind) or a synthetic shop
// whose structure is known, and the time split into history and held-out.

export interface Interaction {
  userId: string;
  itemId: string;
  at: Date;
  /** product_view (default), add_to_cart or purchase. */
  kind: 'product_view' | 'add_to_cart' | 'purchase';
}

/** CSV with a header: user_id, item_id, timestamp (ISO 8601 or Unix seconds), optional kind. */
export function parseInteractions(text: string): Interaction[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const head = lines.shift()?.split(',').map((h) => h.trim().toLowerCase()) ?? [];
  const col = (name: string) => head.indexOf(name);
  const [u, i, t, k] = [col('user_id'), col('item_id'), col('timestamp'), col('kind')];
  if (u < 0 || i < 0 || t < 0) throw new Error('the header must name user_id, item_id and timestamp');
  return lines.map((line, n) => {
    const f = line.split(',').map((x) => x.trim());
    const raw = f[t]!;
    const at = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
    if (Number.isNaN(at.getTime())) throw new Error(`line ${n + 2}: timestamp ${JSON.stringify(raw)} is not a time`);
    const kind = (k >= 0 && f[k] ? f[k] : 'product_view') as Interaction['kind'];
    return { userId: f[u]!, itemId: f[i]!, at, kind };
  });
}

/** A seeded pseudo-random source (a linear congruential generator), so runs repeat. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * A shop with known structure: `clusters` groups of `perCluster` items; each
 * user has a home group and draws `inGroup` (80 %) of their interactions from it
 * (item popularity Zipf-like within the group), the rest from the whole shop; sessions
 * of 2–6 items over 60 days. With `drift`, each later session moves the home
 * group elsewhere with that probability: tastes that change, where what a
 * user did last says more than what they did most. A recommender that learns which items go
 * together beats one that only knows what is popular.
 */
export function syntheticShop(o: { users: number; clusters: number; perCluster: number; seed: number; inGroup?: number; drift?: number }): Interaction[] {
  const inGroup = o.inGroup ?? 0.8;
  const drift = o.drift ?? 0;
  const rnd = seeded(o.seed);
  const zipf = (n: number) => Math.min(n - 1, Math.floor(n * rnd() ** 2.5));
  const item = (cluster: number, k: number) => `item-${cluster}-${k}`;
  const end = Date.UTC(2026, 10, 30);
  const out: Interaction[] = [];
  for (let u = 0; u < o.users; u++) {
    let home = Math.floor(rnd() * o.clusters);
    const sessions = 2 + Math.floor(rnd() * 5);
    // With drift, sessions in time order, each moving the home group elsewhere with that probability.
    const starts = drift > 0 ? Array.from({ length: sessions }, () => end - rnd() * 60 * 86_400_000).sort((a, b) => a - b) : undefined;
    for (let s = 0; s < sessions; s++) {
      const start = starts ? starts[s]! : end - rnd() * 60 * 86_400_000;
      if (starts && s > 0 && rnd() < drift) home = Math.floor(rnd() * o.clusters);
      const length = 2 + Math.floor(rnd() * 5);
      for (let j = 0; j < length; j++) {
        const cluster = rnd() < inGroup ? home : Math.floor(rnd() * o.clusters);
        const r = rnd();
        out.push({ userId: `user-${u}`, itemId: item(cluster, zipf(o.perCluster)), at: new Date(start + j * 60_000), kind: r < 0.85 ? 'product_view' : r < 0.95 ? 'add_to_cart' : 'purchase' });
      }
    }
  }
  return out;
}

/** History before the time that leaves `heldOut` of the interactions after it; per user, what they did later and had not before. */
export function timeSplit(all: readonly Interaction[], heldOut = 0.2) {
  const sorted = [...all].sort((a, b) => a.at.getTime() - b.at.getTime());
  const cut = sorted[Math.floor(sorted.length * (1 - heldOut))]!.at;
  const history = sorted.filter((x) => x.at < cut);
  const seen = new Map<string, Set<string>>();
  for (const x of history) (seen.get(x.userId) ?? seen.set(x.userId, new Set()).get(x.userId)!).add(x.itemId);
  const later = new Map<string, Set<string>>();
  for (const x of sorted) {
    if (x.at < cut || !seen.has(x.userId) || seen.get(x.userId)!.has(x.itemId)) continue;
    (later.get(x.userId) ?? later.set(x.userId, new Set()).get(x.userId)!).add(x.itemId);
  }
  return { history, seen, later, cut };
}
