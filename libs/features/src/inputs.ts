/**
 * The plain inputs features are computed from. No protobuf, ORM or gRPC types:
 * serving fills these from a profile message, the in-memory catalog and the
 * request; training fills them from logged rows. Same inputs → same numbers.
 */

export type LifecycleStage = 'new' | 'active' | 'at_risk' | 'churned';
export type FunnelPosition = 'awareness' | 'consideration' | 'decision' | 'retention';
export type PriceSensitivity = 'low' | 'medium' | 'high';
export type DeviceClass = 'mobile' | 'tablet' | 'desktop';
export type PageKind =
  | 'home'
  | 'category'
  | 'product'
  | 'search'
  | 'cart'
  | 'checkout'
  | 'order_confirmation'
  | 'article'
  | 'account'
  | 'other';

/** What the profile says about the user (all optional: anonymous users have none). */
export interface UserInput {
  sessionCount?: number;
  totalPageviews?: number;
  totalEvents?: number;
  totalPurchases?: number;
  /** Total revenue as a number (features are floats; money stays exact elsewhere). */
  totalRevenue?: number;
  avgSessionDurationSeconds?: number;
  avgTimeOnPageSeconds?: number;
  avgScrollDepthPercent?: number;
  bounceRate?: number;
  lifecycleStage?: LifecycleStage;
  funnelPosition?: FunnelPosition;
  priceSensitivity?: PriceSensitivity;
  devicePreference?: DeviceClass;
  /** Most favourite first. */
  favoriteCategories?: readonly string[];
  favoriteProducts?: readonly string[];
  preferredBrands?: readonly string[];
  firstVisit?: Date;
  lastVisit?: Date;
}

/** Outcome counts of an item in the recommendations log over one window. */
export interface ItemWindowStats {
  shown: number;
  clicks: number;
  conversions: number;
}

/**
 * A catalog's items numbered 0..size-1 (one table per catalog snapshot). An
 * item that carries its table and slot has its item.* values cached by every
 * assembler in pages of neighbouring slots, not in an object of its own.
 */
export class ItemTable {
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`an item table's size is a whole number >= 0, got ${size}`);
  }
}

/**
 * An item's behaviour from the interaction log (GetItemSignals): each
 * interaction counts 0.5^(age / half-life).
 */
export interface ItemBehaviour {
  /** Views 1, item views 0.5, adds to cart 3, purchases 5, decayed. */
  popularity: number;
  views: number;
  carts: number;
  purchases: number;
  /** The same weights, not decayed, over the last day and the last 7 days. */
  popularity1d: number;
  popularity7d: number;
  /**
   * popularity over the website's most popular item's, at the same time
   * (0..1): unlike popularity, it does not shrink while a shop is quiet nor
   * grow with its traffic, so a model trained on last month's rows reads it
   * the same way today.
   */
  popularityShare: number;
}

/** What the catalog and the log say about one item. */
export interface ItemInput {
  /** False when the item is not in the catalog (caller candidates may not be). */
  inCatalog: boolean;
  /**
   * The catalog snapshot's table and this item's slot in it (0 ≤ slot < size):
   * item.* values are then computed once per item and snapshot. Without them
   * (an item the catalog does not know, training rows) they are computed per row.
   */
  table?: ItemTable;
  slot?: number;
  category?: string;
  brand?: string;
  price?: number;
  tags?: readonly string[];
  /** published_at in epoch milliseconds: a number, not a Date, since item.age_days reads it for every row. */
  publishedAtMs?: number;
  /** What visitors did with the item (profile-service's interaction log), decayed by its half-life; undefined when unknown. */
  behaviour?: ItemBehaviour;
  /** Last 24 hours / 7 days / 30 days before the request time. */
  stats1d?: ItemWindowStats;
  stats7d?: ItemWindowStats;
  stats30d?: ItemWindowStats;
}

/** The request's context. */
export interface ContextInput {
  /** The request time (drives hour/day features); required so features are reproducible. */
  time: Date;
  /** IANA zone for hour/day features; undefined = UTC. */
  timeZone?: string;
  device?: DeviceClass;
  pageType?: PageKind;
  /** The item / category the page is about. */
  itemId?: string;
  category?: string;
  /** Category and brand of the page's item, when the catalog knows it. */
  itemCategory?: string;
  itemBrand?: string;
  cartSize?: number;
  recentCount?: number;
}

/** Signals about the (user, item) pair that come from candidate generation. */
export interface PairSignals {
  /** Co-visitation strength between this item and the page / recent / cart items, >= 0. */
  coVisitation?: number;
  /**
   * coVisitation over the strongest co-visitation any item reached from the
   * same seeds has (0..1), before any filter: how this item ranks among the
   * visitor's neighbours, whatever the size of their history.
   */
  coVisitationShare?: number;
  /** 1 when the item follows a recent item in logged sessions. */
  nextItem?: number;
}

/** Everything one row of the feature matrix is computed from. */
export interface FeatureRowInput {
  itemId: string;
  user?: UserInput;
  item: ItemInput;
  context: ContextInput;
  pair?: PairSignals;
  /** Caller-side numeric features (`candidate.<key>`). */
  candidate?: Readonly<Record<string, number>>;
}
