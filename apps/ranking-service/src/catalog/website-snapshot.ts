import { ItemTable, popularityOf, type ItemBehaviour, type ItemInput } from '@recsys/features';
import { runInSteps } from '@recsys/service-kit';
import type { ItemStats, Pair, SegmentPopularity } from './behaviour-repository';
import type { CatalogRow, ItemKind } from './catalog-repository';

/** A catalog item ready for scoring: its row plus the features' view of it. */
export interface CatalogEntry {
  readonly itemId: string;
  readonly row: CatalogRow;
  readonly input: ItemInput;
  // What eligibility and the per-category cap read for every candidate, copied
  // from `row`: one object less to reach per candidate (cache misses are most
  // of candidate generation's time on a busy machine).
  readonly available: boolean;
  readonly kind: ItemKind;
  readonly category: string | null;
  /**
   * Popularity: the recommendations log's 30 days (5·conversions + clicks +
   * 0.05·impressions) plus the interaction log's decayed popularity (views 1,
   * carts 3, purchases 5).
   */
  readonly popularity: number;
  /** Share of the week's popularity in the last day, 0..1 (both logs). */
  readonly trending: number;
}

/**
 * What visitors did with an item, from profile-service's interaction log
 * (GetItemSignals): time-decayed popularity and the items seen in the same
 * sessions. Combined with what the recommendations log says.
 */
export interface BehaviourSignal extends Omit<ItemBehaviour, 'popularityShare'> {
  itemId: string;
  coVisited: readonly { itemId: string; weight: number }[];
  /** What visitors went to next from this item (within an hour). */
  nextItems: readonly { itemId: string; weight: number }[];
  /** Items bought in the same orders. */
  boughtTogether: readonly { itemId: string; weight: number }[];
  /** Decayed popularity per segment (`device:mobile`, `lifecycle:active`…), for the segments where the item is among the most popular. */
  segmentPopularity: Readonly<Record<string, number>>;
}

/** The behaviour signals a snapshot was built with; `stale` when profile-service could not be asked (the last copy serves). */
export interface Behaviour {
  signals: readonly BehaviourSignal[];
  stale: boolean;
  /** When profile-service computed them (RecommendResponse.item_signals_computed_at); undefined: none. */
  computedAt?: Date;
}

const NO_BEHAVIOUR: Behaviour = { signals: [], stale: false };

export interface Neighbour {
  itemId: string;
  weight: number;
  /** Undefined when the catalog does not have the item. */
  entry: CatalogEntry | undefined;
}

/**
 * Everything Recommend needs about one website, in memory, immutable once
 * built: a refresh builds a new snapshot and swaps the pointer, so a call
 * never sees half an update. The candidate lists hold catalog entries, not
 * ids: generating 1,000 candidates then needs no lookup by id.
 */
export class WebsiteSnapshot {
  readonly items = new Map<string, CatalogEntry>();
  /** Available items per kind, most popular first (ties: newest, then id): the popular source and the catalog fill. */
  readonly popular = new Map<ItemKind, CatalogEntry[]>();
  /** Available items per kind with trending > 0, most trending first. */
  readonly trending = new Map<ItemKind, CatalogEntry[]>();
  /** Available items per category, most popular first. */
  readonly byCategory = new Map<string, CatalogEntry[]>();
  readonly coVisited = new Map<string, Neighbour[]>();
  readonly nextItems = new Map<string, Neighbour[]>();
  /** Popular items per segment (`device:mobile`…) that the catalog has, most popular first. */
  readonly segments = new Map<string, CatalogEntry[]>();

  private constructor(
    readonly websiteId: string,
    readonly purchases: ReadonlyMap<string, ReadonlySet<string>>,
    /** When the data was read (stats windows are relative to it). */
    readonly builtAt: Date,
    /** False when the database could not be read: an empty stand-in until the next refresh. */
    readonly complete: boolean,
    readonly behaviour: Behaviour,
  ) {}

  /**
   * A snapshot of `inputs`, built in steps of BUILD_STEP rows between which
   * the event loop serves other calls: 100,000 catalog items take ~0.4 s to
   * build, which in one piece held every Recommend call up for as long
   * (BENCHMARKS.md, bench:signals).
   */
  static async build(inputs: SnapshotInputs): Promise<WebsiteSnapshot> {
    const snapshot = new WebsiteSnapshot(inputs.websiteId, inputs.purchases, inputs.builtAt, true, inputs.behaviour ?? NO_BEHAVIOUR);
    await runInSteps(snapshot.fill(inputs));
    return snapshot;
  }

  /** Fills the maps; yields every BUILD_STEP rows, pairs or segment entries. */
  private *fill({ rows, stats, coVisitation, nextItems, segments }: SnapshotInputs): Generator<void> {
    const behaviour = this.behaviour;
    const behaviourOf = new Map(behaviour.signals.map((b) => [b.itemId, b]));
    // Numbered, so every model's assembler keeps item.* values packed by slot (@recsys/features ItemTable).
    const table = new ItemTable(rows.length);
    // One string object per distinct category and brand: the match.* features compare them for
    // every row, and 40 shared strings stay in cache where 5,000 copies would not.
    const shared = new Map<string, string>();
    const one = (v: string | null) => (v === null ? null : (shared.get(v) ?? (shared.set(v, v), v)));
    let topPopularity = 0;
    for (const b of behaviour.signals) if (b.popularity > topPopularity) topPopularity = b.popularity;
    for (const row of rows) {
      const category = one(row.category);
      const brand = one(row.brand);
      const s = stats.get(row.itemId);
      const price = row.price === null ? undefined : Number(row.price);
      const b = behaviourOf.get(row.itemId);
      // Trending from both logs: the last day's share of the week's popularity.
      const week = popularityOf(s?.d7) + (b?.popularity7d ?? 0);
      const day = popularityOf(s?.d1) + (b?.popularity1d ?? 0);
      this.items.set(row.itemId, {
        itemId: row.itemId,
        row,
        available: row.available,
        kind: row.kind,
        category,
        input: {
          inCatalog: true,
          table,
          slot: this.items.size,
          category: category ?? undefined,
          brand: brand ?? undefined,
          price: price !== undefined && Number.isFinite(price) ? price : undefined,
          tags: row.tags,
          publishedAtMs: row.publishedAt?.getTime(),
          behaviour: b && { popularity: b.popularity, views: b.views, carts: b.carts, purchases: b.purchases, popularity1d: b.popularity1d, popularity7d: b.popularity7d, popularityShare: topPopularity > 0 ? b.popularity / topPopularity : 0 },
          stats1d: s?.d1,
          stats7d: s?.d7,
          stats30d: s?.d30,
        },
        popularity: popularityOf(s?.d30) + (b?.popularity ?? 0),
        trending: week > 0 ? Math.min(1, day / week) : 0,
      });
      if (this.items.size % BUILD_STEP === 0) yield;
    }
    yield;
    // Most popular first; ties newest first, then by id — the order the rows come in (CatalogRepository.itemsOf),
    // so only the items with any popularity are sorted: sorting all 100,000 of a catalog by id took ~80 ms in one piece.
    const popular: CatalogEntry[] = [];
    const rest: CatalogEntry[] = [];
    for (const e of this.items.values()) if (e.available) (e.popularity > 0 ? popular : rest).push(e);
    popular.sort((a, b) => b.popularity - a.popularity || a.input.slot! - b.input.slot!); // slot: the row's position
    const available = popular.concat(rest);
    yield;
    for (const e of available) {
      push(this.popular, e.kind, e);
      if (e.category !== null) push(this.byCategory, e.category, e);
    }
    yield;
    for (const e of [...available].filter((x) => x.trending > 0).sort((a, b) => b.trending * Math.log1p(b.popularity) - a.trending * Math.log1p(a.popularity))) {
      push(this.trending, e.kind, e);
    }
    yield;
    // Bought together is the strongest kind of co-visitation: its weights add to the pair's.
    yield* this.mergePairs(this.coVisited, coVisitation, (b) => (b.boughtTogether.length === 0 ? b.coVisited : [...b.coVisited, ...b.boughtTogether]));
    yield* this.mergePairs(this.nextItems, nextItems, (b) => b.nextItems);
    yield* this.mergeSegments(segments, behaviour.signals);
  }

  /** Co-visitation or next items from both logs: weights of the same pair add up; strongest first. */
  private *mergePairs(target: Map<string, Neighbour[]>, logPairs: readonly Pair[], fromBehaviour: (b: BehaviourSignal) => readonly { itemId: string; weight: number }[]): Generator<void> {
    const pairs = new Map<string, Map<string, number>>();
    const add = (from: string, to: string, weight: number) => {
      const m = pairs.get(from) ?? pairs.set(from, new Map()).get(from)!;
      m.set(to, (m.get(to) ?? 0) + weight);
    };
    let n = 0;
    for (const p of logPairs) {
      add(p.from, p.to, p.weight);
      if (++n % (10 * BUILD_STEP) === 0) yield;
    }
    for (const b of this.behaviour.signals) {
      for (const x of fromBehaviour(b)) add(b.itemId, x.itemId, x.weight);
      if (++n % BUILD_STEP === 0) yield;
    }
    for (const [from, m] of pairs) {
      target.set(
        from,
        [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([to, weight]) => ({ itemId: to, weight, entry: this.items.get(to) })),
      );
      if (++n % BUILD_STEP === 0) yield;
    }
  }

  /** Popular per segment from both logs: popularities of the same segment and item add up; most popular first. */
  private *mergeSegments(fromLog: readonly SegmentPopularity[], signals: readonly BehaviourSignal[]): Generator<void> {
    const bySegment = new Map<string, Map<string, number>>();
    const add = (segment: string, itemId: string, popularity: number) => {
      const m = bySegment.get(segment) ?? bySegment.set(segment, new Map()).get(segment)!;
      m.set(itemId, (m.get(itemId) ?? 0) + popularity);
    };
    for (const s of fromLog) add(s.segment, s.itemId, s.popularity);
    let n = 0;
    for (const b of signals) {
      for (const segment in b.segmentPopularity) add(segment, b.itemId, b.segmentPopularity[segment]!);
      if (++n % BUILD_STEP === 0) yield;
    }
    for (const [segment, m] of bySegment) {
      for (const [itemId] of [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
        const e = this.items.get(itemId);
        if (e) push(this.segments, segment, e);
      }
      yield;
    }
  }

  static empty(websiteId: string): WebsiteSnapshot {
    return new WebsiteSnapshot(websiteId, new Map(), new Date(), false, NO_BEHAVIOUR);
  }
}

/** What a snapshot is built from. */
export interface SnapshotInputs {
  websiteId: string;
  rows: readonly CatalogRow[];
  stats: ReadonlyMap<string, ItemStats>;
  coVisitation: readonly Pair[];
  nextItems: readonly Pair[];
  segments: readonly SegmentPopularity[];
  purchases: ReadonlyMap<string, ReadonlySet<string>>;
  /** When the data was read (stats windows are relative to it). */
  builtAt: Date;
  behaviour?: Behaviour;
}

/** Catalog rows (or behaviour items, or segments) built between two yields: a few milliseconds of the event loop. */
const BUILD_STEP = 2_000;

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
