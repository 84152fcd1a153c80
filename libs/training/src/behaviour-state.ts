import { BOUGHT_TOGETHER_PER_ITEM, FAVOURITE_WEIGHTS, setCoVisitationShares, SIGNAL_WEIGHTS, type InteractionKind, type ItemBehaviour, type UserInput } from '@recsys/features';

/** One row of the interaction log (profile-service's `interactions`), as the trainer reads it. */
export interface Interaction {
  userId: string;
  sessionId: string;
  itemId: string;
  /** Epoch milliseconds. */
  at: number;
  kind: InteractionKind;
  /** The category the event named (the profile's favourite categories come from it, not from the catalog). */
  category?: string;
  /** The brand the event named (the profile's preferred brands come from it). */
  brand?: string;
  /** Purchases: the order the line belongs to (bought together pairs lines of one order, else of one session). */
  orderId?: string;
}

/** What the catalog says about an item (ranking-service's `catalog_items`). */
export interface CatalogItem {
  itemId: string;
  category?: string;
  brand?: string;
  price?: number;
}

/** Each visitor's latest distinct items that pair (profile-service's co-visitation). */
const VISITOR_ITEMS = 30;
/** Baskets of more distinct items than this are left out of bought together (profile-service's ITEM_BOUGHT_TOGETHER). */
const MAX_BASKET = 50;
const DAY = 86_400_000;

interface ItemSums {
  popularity: number;
  views: number;
  carts: number;
  purchases: number;
  /** (time, weight) of the interactions not yet out of the week window, oldest first, from `weekHead`. */
  recent: { at: number; w: number }[];
  weekHead: number;
  dayHead: number;
  /** Sums of the weights from weekHead / dayHead on. */
  week: number;
  day: number;
}

interface Weighted {
  w: number;
  last: number;
}

interface Visitor {
  latest: Map<string, number>;
  /** Distinct items, most recent first, at most VISITOR_ITEMS. */
  order: string[];
  products: Map<string, Weighted>;
  categories: Map<string, Weighted>;
  brands: Map<string, Weighted>;
}

/**
 * The item signals and favourites as they were at any moment of a replayed
 * interaction log, fed in time order (`observe`) and read as of the current
 * time: what the trainer needs so that no feature uses anything after its
 * example's time. Decayed sums are kept scaled by 2^((t − origin)/half-life),
 * so one multiplication gives their value at any later time.
 *
 * The same definitions as profile-service's signals (decay, weights, a
 * visitor's 30 latest items pairing with the decay of the later interaction),
 * computed incrementally: a pair is added when its later interaction happens,
 * and an item leaving a visitor's latest 30 keeps the pairs it had (the SQL
 * recomputes from the visitor's current 30) — an approximation on visitors
 * with more than 30 items.
 */
export class BehaviourState {
  private readonly items = new Map<string, ItemSums>();
  private readonly visitors = new Map<string, Visitor>();
  private readonly pairs = new Map<string, Map<string, number>>();
  private readonly bought = new Map<string, Map<string, number>>();
  /** Each order's (else session's) purchased items and the time of their latest purchase; undefined once it is too large to count. */
  private readonly baskets = new Map<string, Map<string, number> | undefined>();
  private readonly halfLifeMs: number;
  private now = -Infinity;
  /** The largest scaled popularity of any item: scaled sums only grow, so a running maximum is exact. */
  private topPopularity = 0;

  /** `coNeighbours`: co-visited items per item, profile-service's ITEM_SIGNAL_NEIGHBOURS. */
  constructor(
    halfLifeDays: number,
    private readonly origin: number,
    private readonly coNeighbours = 20,
  ) {
    this.halfLifeMs = halfLifeDays * DAY;
  }

  private scaled(at: number): number {
    return 2 ** ((at - this.origin) / this.halfLifeMs);
  }

  /** Adds one interaction; interactions must come in time order. */
  observe(x: Interaction): void {
    if (x.at < this.now) throw new Error(`interactions out of order: ${new Date(x.at).toISOString()} after ${new Date(this.now).toISOString()}`);
    this.now = x.at;
    const s = this.scaled(x.at);
    const item =
      this.items.get(x.itemId) ?? this.items.set(x.itemId, { popularity: 0, views: 0, carts: 0, purchases: 0, recent: [], weekHead: 0, dayHead: 0, week: 0, day: 0 }).get(x.itemId)!;
    const w = SIGNAL_WEIGHTS[x.kind];
    item.popularity += w * s;
    if (item.popularity > this.topPopularity) this.topPopularity = item.popularity;
    if (x.kind === 'product_view' || x.kind === 'item_view') item.views += s;
    else if (x.kind === 'add_to_cart') item.carts += s;
    else item.purchases += s;
    item.recent.push({ at: x.at, w });
    item.week += w;
    item.day += w;

    const v = this.visitor(x.userId);
    const before = v.latest.get(x.itemId);
    for (const a of v.order) {
      if (a === x.itemId) continue;
      // The pair now weighs the decay of its later interaction, this one; before it weighed the earlier later one.
      const old = before === undefined ? 0 : this.scaled(Math.max(before, v.latest.get(a)!));
      addPair(this.pairs, a, x.itemId, s - old);
      addPair(this.pairs, x.itemId, a, s - old);
    }
    if (x.kind === 'purchase') this.addToBasket(x.orderId ?? x.sessionId, x.itemId, x.at);
    v.latest.set(x.itemId, x.at);
    v.order = [x.itemId, ...v.order.filter((i) => i !== x.itemId)].slice(0, VISITOR_ITEMS);
    const fw = FAVOURITE_WEIGHTS[x.kind];
    const add = (m: Map<string, Weighted>, key: string | undefined) => {
      if (!key) return;
      const e = m.get(key) ?? m.set(key, { w: 0, last: 0 }).get(key)!;
      e.w += fw;
      e.last = x.at;
    };
    add(v.products, x.itemId);
    add(v.categories, x.category);
    add(v.brands, x.brand);
  }

  private visitor(userId: string): Visitor {
    let v = this.visitors.get(userId);
    if (!v) {
      v = { latest: new Map(), order: [], products: new Map(), categories: new Map(), brands: new Map() };
      this.visitors.set(userId, v);
    }
    return v;
  }

  /**
   * Bought together as profile-service computes it: each pair of distinct
   * items of one basket weighs the decay of the later of their latest
   * purchases; a basket of more than MAX_BASKET items counts for nothing.
   */
  private addToBasket(key: string, itemId: string, at: number) {
    if (this.baskets.has(key) && this.baskets.get(key) === undefined) return;
    const basket = this.baskets.get(key) ?? new Map<string, number>();
    this.baskets.set(key, basket);
    const before = basket.get(itemId);
    if (before === undefined && basket.size === MAX_BASKET) {
      for (const [a, ta] of basket) for (const [b, tb] of basket) if (a !== b) addPair(this.bought, a, b, -this.scaled(Math.max(ta, tb)));
      this.baskets.set(key, undefined);
      return;
    }
    const s = this.scaled(at);
    for (const [other, t] of basket) {
      if (other === itemId) continue;
      const old = before === undefined ? 0 : this.scaled(Math.max(before, t));
      addPair(this.bought, itemId, other, s - old);
      addPair(this.bought, other, itemId, s - old);
    }
    basket.set(itemId, at);
  }

  /** The item's signals as of `at` (not before the last observed interaction); undefined when it has none. */
  behaviourAt(itemId: string, at: number): ItemBehaviour | undefined {
    const i = this.items.get(itemId);
    if (!i) return undefined;
    const k = 1 / this.scaled(at);
    // Reads come in time order, like the interactions: the windows only move forward (amortised O(1)).
    while (i.dayHead < i.recent.length && i.recent[i.dayHead]!.at <= at - DAY) i.day -= i.recent[i.dayHead++]!.w;
    while (i.weekHead < i.recent.length && i.recent[i.weekHead]!.at <= at - 7 * DAY) i.week -= i.recent[i.weekHead++]!.w;
    if (i.weekHead > 1024 && i.weekHead * 2 > i.recent.length) {
      i.recent = i.recent.slice(i.weekHead);
      i.dayHead -= i.weekHead;
      i.weekHead = 0;
    }
    return { popularity: i.popularity * k, views: i.views * k, carts: i.carts * k, purchases: i.purchases * k, popularity1d: Math.max(0, i.day), popularity7d: Math.max(0, i.week), popularityShare: i.popularity / this.topPopularity };
  }

  /** The items the visitor has interacted with so far. */
  seen(userId: string): ReadonlySet<string> {
    return new Set(this.visitors.get(userId)?.latest.keys() ?? []);
  }

  /**
   * The visitor's favourite products, categories and preferred brands so far,
   * as the profile ranks them (weight, then most recent, then value) and from
   * the same source (the events' own category and brand, not the catalog's);
   * undefined for a new visitor.
   */
  userInput(userId: string): UserInput | undefined {
    const v = this.visitors.get(userId);
    if (!v) return undefined;
    const top = (m: Map<string, Weighted>, n: number) =>
      [...m].sort((a, b) => b[1].w - a[1].w || b[1].last - a[1].last || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([k]) => k);
    return { favoriteProducts: top(v.products, 20), favoriteCategories: top(v.categories, 10), preferredBrands: top(v.brands, 10) };
  }

  /**
   * An item's neighbours as ranking sees them: its `coNeighbours` strongest
   * co-visited items plus its BOUGHT_TOGETHER_PER_ITEM strongest bought
   * together, the weights of an item in both added (ranking's snapshot merges
   * them so). Weights as of `at`.
   */
  neighbours(itemId: string, at: number): Map<string, number> {
    const out = new Map<string, number>();
    const scale = 1 / this.scaled(at);
    for (const n of strongest(this.pairs.get(itemId), this.coNeighbours)) out.set(n.itemId, n.weight * scale);
    for (const n of strongest(this.bought.get(itemId), BOUGHT_TOGETHER_PER_ITEM)) out.set(n.itemId, (out.get(n.itemId) ?? 0) + n.weight * scale);
    return out;
  }

  private popularCache: { at: number; ids: string[] } | undefined;

  /** The `k` most popular items now; the order is sorted again at most once per hour of replayed time (a sort of every item). */
  popular(k: number): string[] {
    let c = this.popularCache;
    if (!c || this.now - c.at >= 3_600_000) {
      c = { at: this.now, ids: [...this.items].sort((a, b) => b[1].popularity - a[1].popularity || (a[0] < b[0] ? -1 : 1)).map(([id]) => id) };
      this.popularCache = c;
    }
    return c.ids.slice(0, k);
  }
}

function addPair(pairs: Map<string, Map<string, number>>, a: string, b: string, w: number) {
  const m = pairs.get(a) ?? pairs.set(a, new Map()).get(a)!;
  m.set(b, (m.get(b) ?? 0) + w);
}

/**
 * The `k` strongest entries (weight, then id; only positive weights, as the
 * SQL's pairs all are), best first. A selection of the k best in one pass
 * rather than a sort: popular items have hundreds of neighbours and change
 * with nearly every interaction, so a sorted copy would rarely be reused.
 */
export function strongest(m: ReadonlyMap<string, number> | undefined, k: number): { itemId: string; weight: number }[] {
  if (!m) return [];
  const ids: string[] = [];
  const ws: number[] = [];
  const better = (w: number, id: string, j: number) => w > ws[j]! || (w === ws[j]! && id < ids[j]!);
  for (const [id, w] of m) {
    if (!(w > 1e-12)) continue;
    if (ids.length === k && !better(w, id, k - 1)) continue;
    let j = ids.length === k ? k - 1 : ids.length;
    ids[j] = id;
    ws[j] = w;
    for (; j > 0 && better(w, id, j - 1); j--) {
      ids[j] = ids[j - 1]!;
      ws[j] = ws[j - 1]!;
      ids[j - 1] = id;
      ws[j - 1] = w;
    }
  }
  return ids.map((id, j) => ({ itemId: id, weight: ws[j]! }));
}

/**
 * Each item the seeds reach, with its summed weight (a seed listed twice
 * counts twice) and its share of the strongest: serving's pair signals
 * (ranking-service's candidates.ts), from each seed's `neighbours`.
 */
export function coVisitationFrom(neighbours: (seed: string) => ReadonlyMap<string, number> | undefined, seeds: readonly string[]): Map<string, { co: number; share: number }> {
  const out = new Map<string, { co: number; share: number }>();
  for (const seed of seeds) {
    for (const [id, w] of neighbours(seed) ?? []) {
      const e = out.get(id) ?? out.set(id, { co: 0, share: 0 }).get(id)!;
      e.co += w;
    }
  }
  setCoVisitationShares(out);
  return out;
}
