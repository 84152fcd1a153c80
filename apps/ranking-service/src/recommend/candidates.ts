import { pairSeeds, setCoVisitationShares, type ContextInput, type FeatureRowInput, type ItemInput, type PairSignals, type UserInput } from '@recsys/features';
import type { CatalogEntry, WebsiteSnapshot } from '../catalog/website-snapshot';
import type { RecommendQuery } from './recommend-query';

/** Where a candidate came from (RecommendedItem.source). */
export type Source = 'caller' | 'co_visitation' | 'next_item' | 'favorites' | 'popular' | 'trending';

/**
 * One item to score. It is also its feature row (FeatureRowInput) and its own
 * pair signals (`pair` is the candidate itself): one object per candidate,
 * not three.
 */
export interface Candidate extends FeatureRowInput {
  itemId: string;
  source: Source;
  /** Undefined for caller candidates the catalog does not know. */
  entry?: CatalogEntry;
  /** Summed co-visitation weight with the page, recent and cart items. */
  coVisitation: number;
  /** coVisitation over the strongest any item reached from the same seeds (PairSignals). */
  coVisitationShare: number;
  /** 1 when a recent item is followed by this one in logged sessions. */
  nextItem: number;
  pair: PairSignals;
  /** The seed item that proposed it (for reasons). */
  via?: string;
  /** The segment whose popular list proposed it (`device:mobile`…). */
  segment?: string;
}

/** At most this many generated candidates per call (the contract's caller limit too). */
export const MAX_GENERATED = 1000;

/** The item input of every caller candidate the catalog does not know (the same for all). */
const NOT_IN_CATALOG: ItemInput = Object.freeze({ inCatalog: false });

/** What every candidate of one request shares: its feature rows' user and context. */
export interface CandidateScope {
  user: UserInput | undefined;
  context: ContextInput;
}

function candidate(
  scope: CandidateScope,
  itemId: string,
  source: Source,
  entry: CatalogEntry | undefined,
  features: Record<string, number> | undefined,
  signal: Signal | undefined,
  via: string | undefined,
  segment: string | undefined,
): Candidate {
  const c: Candidate = {
    itemId,
    source,
    entry,
    item: entry?.input ?? NOT_IN_CATALOG,
    user: scope.user,
    context: scope.context,
    candidate: features,
    pair: NO_SIGNALS,
    coVisitation: signal?.co ?? 0,
    coVisitationShare: signal?.share ?? 0,
    nextItem: signal?.next ?? 0,
    via: via ?? signal?.via,
    segment,
  };
  c.pair = c;
  return c;
}

const NO_SIGNALS: PairSignals = Object.freeze({ coVisitation: 0, coVisitationShare: 0, nextItem: 0 });

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
  const { includeCategories, excludeCategories, kind } = q;
  const anyExcluded = excludeCategories.size > 0;
  const fits = (entry: CatalogEntry): boolean => {
    if (!entry.available || entry.kind !== kind) return false;
    const category = entry.category;
    if (includeCategories && (category === null || !includeCategories.has(category))) return false;
    if (anyExcluded && category !== null && excludeCategories.has(category)) return false;
    return true;
  };
  // The same id filters as catalog entries, for generated candidates (resolved on their first check):
  // checking an entry by identity does not read its id string (one cache miss less per candidate).
  let notFor: Set<CatalogEntry> | undefined;
  const resolveNotFor = () => {
    const out = new Set<CatalogEntry>();
    for (const ids of purchased ? [blocked, purchased] : [blocked]) {
      for (const id of ids) {
        const e = snapshot.items.get(id);
        if (e) out.add(e);
      }
    }
    return out;
  };
  return {
    /** A caller candidate, by id (it may not be in the catalog). */
    id: (itemId: string, entry: CatalogEntry | undefined): boolean => {
      if (blocked.has(itemId) || purchased?.has(itemId)) return false;
      return entry ? fits(entry) : includeCategories === undefined;
    },
    /** A catalog entry (generated candidates). */
    entry: (entry: CatalogEntry): boolean => !(notFor ??= resolveNotFor()).has(entry) && fits(entry),
  };
}

export function callerCandidates(q: RecommendQuery, snapshot: WebsiteSnapshot, scope: CandidateScope): Candidate[] {
  const eligible = makeEligibility(q, snapshot);
  const signals = pairSignals(q, snapshot, scope.user);
  const out: Candidate[] = [];
  for (const c of q.candidates ?? []) {
    const entry = snapshot.items.get(c.itemId);
    if (!eligible.id(c.itemId, entry)) continue;
    out.push(candidate(scope, c.itemId, 'caller', entry, c.features, signals.get(c.itemId), undefined, undefined));
  }
  return out;
}

interface Signal {
  co: number;
  /** co over the strongest co of any item the seeds reach. */
  share: number;
  next: number;
  via?: string;
}

/**
 * Co-visitation and next-item signals of every item reachable from the page,
 * recent and cart items and the user's favourite products (their history, as
 * the profile keeps it): item-to-item collaborative filtering over both logs.
 */
function pairSignals(q: RecommendQuery, snapshot: WebsiteSnapshot, user: UserInput | undefined) {
  const out = new Map<string, Signal>();
  for (const seed of pairSeeds(q.contextItemId, q.recentItemIds, q.cartItemIds, user?.favoriteProducts)) {
    for (const n of snapshot.coVisited.get(seed) ?? []) {
      const s = out.get(n.itemId) ?? { co: 0, share: 0, next: 0, via: seed };
      s.co += n.weight;
      out.set(n.itemId, s);
    }
  }
  for (const seed of [q.contextItemId, q.recentItemIds[0]]) {
    if (!seed) continue;
    for (const n of snapshot.nextItems.get(seed) ?? []) {
      const s = out.get(n.itemId) ?? { co: 0, share: 0, next: 0, via: seed };
      s.next = 1;
      out.set(n.itemId, s);
    }
  }
  setCoVisitationShares(out);
  return out;
}

/**
 * Generated candidates, most specific source first (the cold-start ladder read
 * top-down): what the page / session / cart lead to (co-visitation, next item),
 * the user's favourites' neighbours, popular in the visitor's segment (device,
 * lifecycle), trending, then website popular — which also covers every
 * available item, so a non-empty catalog never gives an empty answer.
 * The snapshot's lists hold catalog entries: no lookup by id per candidate.
 */
export function generateCandidates(q: RecommendQuery, snapshot: WebsiteSnapshot, scope: CandidateScope): Candidate[] {
  const eligible = makeEligibility(q, snapshot);
  const signals = pairSignals(q, snapshot, scope.user);
  const out: Candidate[] = [];
  const taken = new Set<CatalogEntry>();
  // Signals by entry, so that no candidate's id string is read to find them.
  const signalOf = new Map<CatalogEntry, Signal>();
  for (const [itemId, signal] of signals) {
    const e = snapshot.items.get(itemId);
    if (e) signalOf.set(e, signal);
  }
  // `via` and `segment` as arguments, not a spread options object: this runs for up to ~1,000 items per call.
  const add = (entry: CatalogEntry | undefined, source: Source, via?: string, segment?: string) => {
    if (!entry || out.length >= MAX_GENERATED || taken.has(entry) || !eligible.entry(entry)) return;
    taken.add(entry);
    out.push(candidate(scope, entry.itemId, source, entry, undefined, signalOf.size > 0 ? signalOf.get(entry) : undefined, via, segment));
  };
  for (const [entry, s] of [...signalOf].sort((a, b) => b[1].co - a[1].co || b[1].next - a[1].next)) {
    add(entry, s.co > 0 ? 'co_visitation' : 'next_item');
  }
  const user = scope.user;
  if (user) {
    for (const fav of user.favoriteProducts ?? []) {
      for (const n of snapshot.coVisited.get(fav) ?? []) add(n.entry, 'favorites', fav);
    }
    for (const category of user.favoriteCategories ?? []) {
      for (const e of (snapshot.byCategory.get(category) ?? []).slice(0, 50)) add(e, 'favorites');
    }
  }
  for (const segment of segmentsOf(q, user)) {
    for (const e of snapshot.segments.get(segment) ?? []) add(e, 'popular', undefined, segment);
  }
  for (const e of (snapshot.trending.get(q.kind) ?? []).slice(0, 100)) add(e, 'trending');
  for (const e of snapshot.popular.get(q.kind) ?? []) {
    if (out.length >= MAX_GENERATED) break;
    add(e, 'popular');
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
