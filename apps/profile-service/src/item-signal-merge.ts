import { ItemSignal, type ItemNeighbour } from '@recsys/contracts/profile';
import { runInSteps } from '@recsys/service-kit';

/** An item's row of the popularity statements; in a delta, popularity_1d / _7d are what each window gained minus what left it. */
export interface PopularityRow {
  item_id: string;
  popularity: number;
  views: number;
  carts: number;
  purchases: number;
  popularity_1d: number;
  popularity_7d: number;
}
export interface PairRow {
  item: string;
  neighbour: string;
  weight: number;
}
export interface SegmentRow {
  segment: string;
  item_id: string;
  p: number;
}

/** What the statements of a computation (full or delta) return. */
export interface SignalRows {
  popularity: PopularityRow[];
  coVisitation: PairRow[];
  nextItems: PairRow[];
  boughtTogether: PairRow[];
  segments: SegmentRow[];
}

/** How many of each an answer keeps. */
export interface SignalLimits {
  maxItems: number;
  neighbours: number;
  nextItems: number;
  boughtTogether: number;
}

/** An item without any signal yet (the contract's defaults). */
const emptySignal = (itemId: string): ItemSignal => ItemSignal.fromPartial({ itemId });

/**
 * A full computation's rows as ItemSignals, in the popularity statement's
 * order (neighbours only for its items), yielding every 10 × MERGE_STEP rows: at 10
 * million interactions the rows are ~400,000.
 */
export function signalsFromRows(rows: SignalRows): Promise<ItemSignal[]> {
  return runInSteps(fromRowsSteps(rows));
}

function* fromRowsSteps(rows: SignalRows): Generator<void, ItemSignal[]> {
  const byItem = new Map<string, ItemSignal>();
  const items = rows.popularity.map((p) => {
    const signal: ItemSignal = {
      ...emptySignal(p.item_id),
      popularity: Number(p.popularity),
      views: Number(p.views),
      carts: Number(p.carts),
      purchases: Number(p.purchases),
      popularity1d: Number(p.popularity_1d),
      popularity7d: Number(p.popularity_7d),
    };
    byItem.set(p.item_id, signal);
    return signal;
  });
  let n = 0;
  const lists: [PairRow[], (s: ItemSignal) => ItemNeighbour[]][] = [
    [rows.coVisitation, (s) => s.coVisited],
    [rows.nextItems, (s) => s.nextItems],
    [rows.boughtTogether, (s) => s.boughtTogether],
  ];
  for (const [pairs, list] of lists) {
    for (const pair of pairs) {
      const signal = byItem.get(pair.item);
      if (signal) list(signal).push({ itemId: pair.neighbour, weight: Number(pair.weight) });
      if (++n % (10 * MERGE_STEP) === 0) yield;
    }
  }
  for (const s of rows.segments) {
    const item = byItem.get(s.item_id);
    if (item) item.segmentPopularity[s.segment] = Number(s.p);
  }
  return items;
}

const byWeight = (a: ItemNeighbour, b: ItemNeighbour) => b.weight - a.weight || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);

/** Neighbours scaled by `factor` plus the delta's, the strongest `limit` (ties by id, as the statements order them). */
function mergeNeighbours(base: ItemNeighbour[], factor: number, delta: PairRow[] | undefined, limit: number): ItemNeighbour[] {
  if (!delta) return base.map((n) => ({ itemId: n.itemId, weight: n.weight * factor }));
  const weights = new Map(base.map((n) => [n.itemId, n.weight * factor]));
  for (const d of delta) weights.set(d.neighbour, (weights.get(d.neighbour) ?? 0) + Number(d.weight));
  return [...weights].map(([itemId, weight]) => ({ itemId, weight })).sort(byWeight).slice(0, limit);
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/**
 * A full computation's signals (decayed to its cut-off) brought to now: every
 * decayed value times `factor` (0.5^(time since the cut-off / half-life)),
 * plus what the delta found after the cut-off (decayed to now); trending
 * windows move by what they gained and lost. Items the delta brings that the
 * full answer did not have join with the delta's values alone; the list is
 * re-sorted (most popular first, ties by id) and cut at `maxItems`. In steps
 * of MERGE_STEP items with the event loop let through between them: 10,000
 * items with their neighbours take 30–70 ms, which in one piece would hold up
 * TrackEvents and GetProfile (whose callers wait 25 ms).
 */
export function mergeDelta(base: ItemSignal[], factor: number, delta: SignalRows, limits: SignalLimits): Promise<ItemSignal[]> {
  return runInSteps(mergeSteps(base, factor, delta, limits));
}

const MERGE_STEP = 1_000;

function* mergeSteps(base: ItemSignal[], factor: number, delta: SignalRows, limits: SignalLimits): Generator<void, ItemSignal[]> {
  const popularity = new Map(delta.popularity.map((p) => [p.item_id, p]));
  const co = groupBy(delta.coVisitation, (p) => p.item);
  const next = groupBy(delta.nextItems, (p) => p.item);
  const baskets = groupBy(delta.boughtTogether, (p) => p.item);
  const segments = groupBy(delta.segments, (s) => s.item_id);
  const merged = new Map<string, ItemSignal>();
  const add = (b: ItemSignal) => {
    const d = popularity.get(b.itemId);
    const segmentPopularity: Record<string, number> = {};
    for (const [segment, p] of Object.entries(b.segmentPopularity)) segmentPopularity[segment] = p * factor;
    for (const s of segments.get(b.itemId) ?? []) segmentPopularity[s.segment] = (segmentPopularity[s.segment] ?? 0) + Number(s.p);
    // Clamped: an event that arrived late, after the full computation read its window, is subtracted without having been added.
    const popularity1d = Math.max(0, b.popularity1d + Number(d?.popularity_1d ?? 0));
    merged.set(b.itemId, {
      itemId: b.itemId,
      popularity: b.popularity * factor + Number(d?.popularity ?? 0),
      views: b.views * factor + Number(d?.views ?? 0),
      carts: b.carts * factor + Number(d?.carts ?? 0),
      purchases: b.purchases * factor + Number(d?.purchases ?? 0),
      coVisited: mergeNeighbours(b.coVisited, factor, co.get(b.itemId), limits.neighbours),
      nextItems: mergeNeighbours(b.nextItems, factor, next.get(b.itemId), limits.nextItems),
      popularity1d,
      popularity7d: Math.max(popularity1d, b.popularity7d + Number(d?.popularity_7d ?? 0)),
      boughtTogether: mergeNeighbours(b.boughtTogether, factor, baskets.get(b.itemId), limits.boughtTogether),
      segmentPopularity,
    });
  };
  for (const b of base) {
    add(b);
    if (merged.size % MERGE_STEP === 0) yield;
  }
  // Items new to the answer: only those with interactions after the cut-off (a row may only carry a window's loss).
  for (const p of delta.popularity) if (!merged.has(p.item_id) && Number(p.popularity) > 0) add(emptySignal(p.item_id));
  return [...merged.values()]
    .sort((a, b) => b.popularity - a.popularity || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0))
    .slice(0, limits.maxItems);
}
