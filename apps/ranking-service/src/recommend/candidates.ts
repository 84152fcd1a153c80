import type { UserInput } from '@recsys/features';
import type { CatalogEntry, WebsiteSnapshot } from '../catalog/website-snapshot';
import type { RecommendQuery } from './recommend-query';

/** Where a candidate came from (RecommendedItem.source). */
export type Source = 'caller' | 'co_visitation' | 'next_item' | 'favorites' | 'popular' | 'trending';

export interface Candidate {
  itemId: string;
  source: Source;
  /** Undefined for caller candidates the catalog does not know. */
  entry?: CatalogEntry;
  features?: Record<string, number>;
  /** Summed co-visitation weight with the page, recent and cart items. */
  coVisitation: number;
  /** 1 when a recent item is followed by this one in logged sessions. */
  nextItem: number;
  /** The seed item that proposed it (for reasons). */
  via?: string;
  /** The segment whose popular list proposed it (`device:mobile`…). */
  segment?: string;
}

/** At most this many generated candidates per call (the contract's caller limit too). */
export const MAX_GENERATED = 1000;

/**
 * The filters every candidate passes, generated or the caller's: excluded
 * ids, the page item and cart, wrong type, unavailable, category filters,
 * items the user already bought (products only: re-buying content is normal).
 * Caller candidates missing from the catalog are assumed available and of the
 * requested type; include_categories drops them (their category is unknown).
 */
export function makeEligibility(q: RecommendQuery, snapshot: WebsiteSnapshot) {
  const blocked = new Set(q.exclude);
  if (q.contextItemId) blocked.add(q.contextItemId);
  for (const id of q.cartItemIds) blocked.add(id);
  const purchased = q.kind === 'product' && q.userId ? snapshot.purchases.get(q.userId) : undefined;
  return (itemId: string, entry: CatalogEntry | undefined): boolean => {
    if (blocked.has(itemId) || purchased?.has(itemId)) return false;
    if (!entry) return q.includeCategories === undefined;
    const row = entry.row;
    if (!row.available || row.kind !== q.kind) return false;
    if (q.includeCategories && (row.category === null || !q.includeCategories.has(row.category))) return false;
    if (row.category !== null && q.excludeCategories.has(row.category)) return false;
    return true;
  };
}

export function callerCandidates(q: RecommendQuery, snapshot: WebsiteSnapshot): Candidate[] {
  const eligible = makeEligibility(q, snapshot);
  const signals = pairSignals(q, snapshot);
  const out: Candidate[] = [];
  for (const c of q.candidates ?? []) {
    const entry = snapshot.items.get(c.itemId);
    if (!eligible(c.itemId, entry)) continue;
    const s = signals.get(c.itemId);
    out.push({ itemId: c.itemId, source: 'caller', entry, features: c.features, coVisitation: s?.co ?? 0, nextItem: s?.next ?? 0, via: s?.via, segment: undefined });
  }
  return out;
}

/** Co-visitation and next-item signals of every item reachable from the page, recent and cart items. */
function pairSignals(q: RecommendQuery, snapshot: WebsiteSnapshot) {
  const out = new Map<string, { co: number; next: number; via?: string }>();
  const seeds = [q.contextItemId, ...q.recentItemIds, ...q.cartItemIds].filter((s): s is string => Boolean(s));
  for (const seed of seeds) {
    for (const n of snapshot.coVisited.get(seed) ?? []) {
      const s = out.get(n.itemId) ?? { co: 0, next: 0, via: seed };
      s.co += n.weight;
      out.set(n.itemId, s);
    }
  }
  for (const seed of [q.contextItemId, q.recentItemIds[0]]) {
    if (!seed) continue;
    for (const n of snapshot.nextItems.get(seed) ?? []) {
      const s = out.get(n.itemId) ?? { co: 0, next: 0, via: seed };
      s.next = 1;
      out.set(n.itemId, s);
    }
  }
  return out;
}

/**
 * Generated candidates, most specific source first (the cold-start ladder read
 * top-down): what the page / session / cart lead to (co-visitation, next item),
 * the user's favourites' neighbours, popular in the visitor's segment (device,
 * lifecycle), trending, then website popular — which also covers every
 * available item, so a non-empty catalog never gives an empty answer.
 */
export function generateCandidates(q: RecommendQuery, snapshot: WebsiteSnapshot, user: UserInput | undefined): Candidate[] {
  const eligible = makeEligibility(q, snapshot);
  const signals = pairSignals(q, snapshot);
  const out: Candidate[] = [];
  const taken = new Set<string>();
  // `via` and `segment` as arguments, not a spread options object: this runs for up to ~1,000 items per call.
  const add = (itemId: string, source: Source, via?: string, segment?: string) => {
    if (out.length >= MAX_GENERATED || taken.has(itemId)) return;
    const entry = snapshot.items.get(itemId);
    if (!entry || !eligible(itemId, entry)) return;
    taken.add(itemId);
    const s = signals.get(itemId);
    out.push({ itemId, source, entry, features: undefined, coVisitation: s?.co ?? 0, nextItem: s?.next ?? 0, via: via ?? s?.via, segment });
  };
  for (const [itemId, s] of [...signals].sort((a, b) => b[1].co - a[1].co || b[1].next - a[1].next)) {
    add(itemId, s.co > 0 ? 'co_visitation' : 'next_item');
  }
  if (user) {
    for (const fav of user.favoriteProducts ?? []) {
      for (const n of snapshot.coVisited.get(fav) ?? []) add(n.itemId, 'favorites', fav);
    }
    for (const category of user.favoriteCategories ?? []) {
      for (const id of (snapshot.byCategory.get(category) ?? []).slice(0, 50)) add(id, 'favorites');
    }
  }
  for (const segment of segmentsOf(q, user)) {
    for (const id of snapshot.segments.get(segment) ?? []) add(id, 'popular', undefined, segment);
  }
  for (const id of (snapshot.trending.get(q.kind) ?? []).slice(0, 100)) add(id, 'trending');
  for (const id of snapshot.popular.get(q.kind) ?? []) {
    if (out.length >= MAX_GENERATED) break;
    add(id, 'popular');
  }
  return out;
}

export function segmentsOf(q: RecommendQuery, user: UserInput | undefined): string[] {
  const out: string[] = [];
  if (user?.lifecycleStage) out.push(`lifecycle:${user.lifecycleStage}`);
  const device = q.device ?? user?.devicePreference;
  if (device) out.push(`device:${device}`);
  return out;
}
