import type { FeatureRowInput, ItemWindowStats } from './inputs';
import { localHourAndDay } from './time';

/**
 * The feature vocabulary: every name a ranking model may declare, what it
 * means and its default. A compute function returns undefined when the input
 * is missing; the matrix then holds `defaultValue` (never NaN/Inf).
 * Names are a contract with every trained model: never rename or change the
 * meaning of one; add new names instead.
 */
export interface FeatureDefinition {
  readonly name: string;
  readonly description: string;
  /** Used when the input is missing or the computation is not finite. */
  readonly defaultValue: number;
  /**
   * Every part of the row `compute` reads (FeatureInput). The serving assembler
   * decides from this alone what it may compute once per request (user,
   * context) or once per catalog item (item alone) and cache; a test checks
   * that changing any undeclared input never changes the value.
   */
  readonly inputs: readonly FeatureInput[];
  readonly compute: (row: FeatureRowInput) => number | undefined;
}

/**
 * The parts of a FeatureRowInput: `context` (the request: time, device, page),
 * `user` (the profile), `item` (the catalog item and its log stats, and its id),
 * `pair` (signals about this user/page and this item from candidate generation),
 * `candidate` (the caller's own numbers).
 */
export type FeatureInput = 'context' | 'user' | 'item' | 'pair' | 'candidate';

const DAY_MS = 86_400_000;
const bool = (v: boolean | undefined) => (v === undefined ? undefined : v ? 1 : 0);
const log1p = (v: number | undefined) => (v === undefined || v < 0 ? undefined : Math.log1p(v));
/** CTR smoothed towards a prior so a single click on one impression is not a 100% item. */
const smoothedRate = (num: number, den: number, prior: number, weight: number) => (num + prior * weight) / (den + weight);
const rate = (s: ItemWindowStats | undefined, pick: 'clicks' | 'conversions', prior: number) =>
  s ? smoothedRate(s[pick], s.shown, prior, 20) : undefined;
/** Popularity: a conversion is worth 5 clicks, an impression 1/20 of a click. */
export const popularityOf = (s: ItemWindowStats | undefined) => (s ? s.conversions * 5 + s.clicks + s.shown * 0.05 : 0);
/** Days from `ms` (epoch milliseconds) to `now`, never negative. */
const daysSince = (ms: number | undefined, now: Date) => (ms === undefined ? undefined : Math.max(0, (now.getTime() - ms) / DAY_MS));
const daysBetween = (a: Date | undefined, b: Date) => daysSince(a?.getTime(), b);
const avgOrderValue = (r: FeatureRowInput) => {
  const u = r.user;
  return u && u.totalPurchases && u.totalPurchases > 0 && u.totalRevenue !== undefined ? u.totalRevenue / u.totalPurchases : undefined;
};

function f(name: string, description: string, defaultValue: number, inputs: readonly FeatureInput[], compute: FeatureDefinition['compute']): FeatureDefinition {
  return { name, description, defaultValue, inputs: Object.freeze([...inputs]), compute };
}

function oneHot<T extends string>(prefix: string, what: string, inputs: readonly FeatureInput[], values: readonly T[], pick: (r: FeatureRowInput) => T | undefined) {
  return values.map((v) => f(`${prefix}_${v}`, `1 when the ${what} is '${v}', else 0`, 0, inputs, (r) => (pick(r) === v ? 1 : 0)));
}

const U: readonly FeatureInput[] = ['user'];
const I: readonly FeatureInput[] = ['item'];
const C: readonly FeatureInput[] = ['context'];
const UI: readonly FeatureInput[] = ['user', 'item'];
const IC: readonly FeatureInput[] = ['item', 'context'];
const UC: readonly FeatureInput[] = ['user', 'context'];
const P: readonly FeatureInput[] = ['pair'];

const LIFECYCLE = ['new', 'active', 'at_risk', 'churned'] as const;
const FUNNEL = ['awareness', 'consideration', 'decision', 'retention'] as const;
const SENSITIVITY = ['low', 'medium', 'high'] as const;
const DEVICES = ['mobile', 'tablet', 'desktop'] as const;
const PAGES = ['home', 'category', 'product', 'search', 'cart', 'checkout', 'order_confirmation', 'article', 'account', 'other'] as const;

const USER: FeatureDefinition[] = [
  f('user.known', '1 when a profile was available for the user, else 0', 0, U, (r) => (r.user ? 1 : 0)),
  f('user.session_count', 'sessions of the user', 0, U, (r) => r.user?.sessionCount),
  f('user.log_session_count', 'ln(1 + sessions)', 0, U, (r) => log1p(r.user?.sessionCount)),
  f('user.total_pageviews', 'page views of the user', 0, U, (r) => r.user?.totalPageviews),
  f('user.total_events', 'events of the user', 0, U, (r) => r.user?.totalEvents),
  f('user.total_purchases', 'purchases of the user', 0, U, (r) => r.user?.totalPurchases),
  f('user.total_revenue', 'total revenue of the user (reporting currency)', 0, U, (r) => r.user?.totalRevenue),
  f('user.log_total_revenue', 'ln(1 + total revenue)', 0, U, (r) => log1p(r.user?.totalRevenue)),
  f('user.avg_order_value', 'total revenue / purchases; 0 without purchases', 0, U, avgOrderValue),
  f('user.avg_session_duration_seconds', 'average session duration', 0, U, (r) => r.user?.avgSessionDurationSeconds),
  f('user.avg_time_on_page_seconds', 'average time on page', 0, U, (r) => r.user?.avgTimeOnPageSeconds),
  f('user.avg_scroll_depth', 'average scroll depth as a ratio 0..1', 0, U, (r) =>
    r.user?.avgScrollDepthPercent === undefined ? undefined : r.user.avgScrollDepthPercent / 100,
  ),
  f('user.bounce_rate', 'share of single-page sessions 0..1', 0, U, (r) => r.user?.bounceRate),
  ...oneHot('user.lifecycle', 'lifecycle stage', U, LIFECYCLE, (r) => r.user?.lifecycleStage),
  ...oneHot('user.funnel', 'funnel position', U, FUNNEL, (r) => r.user?.funnelPosition),
  ...oneHot('user.price_sensitivity', 'price sensitivity', U, SENSITIVITY, (r) => r.user?.priceSensitivity),
  ...oneHot('user.device_preference', 'preferred device', U, DEVICES, (r) => r.user?.devicePreference),
  f('user.favorite_category_count', 'number of favourite categories', 0, U, (r) => r.user?.favoriteCategories?.length),
  f('user.days_since_first_visit', 'days from the first visit to the request time', 0, UC, (r) => daysBetween(r.user?.firstVisit, r.context.time)),
  f('user.days_since_last_visit', 'days from the last visit to the request time', 0, UC, (r) => daysBetween(r.user?.lastVisit, r.context.time)),
];

const ITEM: FeatureDefinition[] = [
  f('item.in_catalog', '1 when the item is in the catalog, else 0', 0, I, (r) => (r.item.inCatalog ? 1 : 0)),
  f('item.price', 'unit price; 0 when unknown', 0, I, (r) => r.item.price),
  f('item.log_price', 'ln(1 + price)', 0, I, (r) => log1p(r.item.price)),
  f('item.has_price', '1 when the price is known', 0, I, (r) => (r.item.price === undefined ? 0 : 1)),
  f('item.age_days', 'days since published_at; 0 when unknown', 0, IC, (r) => daysSince(r.item.publishedAtMs, r.context.time)),
  f('item.tag_count', 'number of tags', 0, I, (r) => r.item.tags?.length),
  ...(['1d', '7d', '30d'] as const).flatMap((w) => {
    const pick = (r: FeatureRowInput) => (w === '1d' ? r.item.stats1d : w === '7d' ? r.item.stats7d : r.item.stats30d);
    return [
      f(`item.impressions_${w}`, `times shown by Recommend in the last ${w}`, 0, I, (r) => pick(r)?.shown),
      f(`item.clicks_${w}`, `clicks on the item as a recommendation in the last ${w}`, 0, I, (r) => pick(r)?.clicks),
      f(`item.conversions_${w}`, `conversions of the item as a recommendation in the last ${w}`, 0, I, (r) => pick(r)?.conversions),
      f(`item.popularity_${w}`, `ln(1 + 5*conversions + clicks + 0.05*impressions) over the last ${w}`, 0, I, (r) => Math.log1p(popularityOf(pick(r)))),
    ];
  }),
  f('item.ctr_30d', 'clicks / impressions over 30 days, smoothed towards 0.02 with 20 pseudo-impressions', 0.02, I, (r) => rate(r.item.stats30d, 'clicks', 0.02)),
  f('item.conversion_rate_30d', 'conversions / impressions over 30 days, smoothed towards 0.005', 0.005, I, (r) =>
    rate(r.item.stats30d, 'conversions', 0.005),
  ),
  f('item.trending', 'share of the 7-day popularity that happened in the last day (0..1); 0 without data', 0, I, (r) => {
    const week = popularityOf(r.item.stats7d);
    return week > 0 ? Math.min(1, popularityOf(r.item.stats1d) / week) : undefined;
  }),
  // What visitors did with the item (the interaction log, time-decayed; docs/ranking.md, Behaviour).
  f('item.behaviour_popularity', 'ln(1 + decayed behaviour popularity: views 1, item views 0.5, carts 3, purchases 5); 0 without behaviour', 0, I, (r) =>
    log1p(r.item.behaviour?.popularity),
  ),
  f('item.behaviour_popularity_share', "decayed behaviour popularity over the website's most popular item's (0..1); 0 without behaviour", 0, I, (r) => r.item.behaviour?.popularityShare),
  f('item.behaviour_views', 'decayed product and item views', 0, I, (r) => r.item.behaviour?.views),
  f('item.behaviour_trending', 'share of the 7-day behaviour popularity (not decayed) that happened in the last day (0..1); 0 without data', 0, I, (r) => {
    const b = r.item.behaviour;
    return b && b.popularity7d > 0 ? Math.min(1, b.popularity1d / b.popularity7d) : undefined;
  }),
  f('item.behaviour_carts', 'decayed adds to cart', 0, I, (r) => r.item.behaviour?.carts),
  f('item.behaviour_purchases', 'decayed purchase lines', 0, I, (r) => r.item.behaviour?.purchases),
  f('item.view_to_cart_rate', 'adds to cart / views, smoothed towards 0.05 with 5 pseudo-views', 0.05, I, (r) =>
    r.item.behaviour ? smoothedRate(r.item.behaviour.carts, r.item.behaviour.views, 0.05, 5) : undefined,
  ),
  f('item.cart_to_purchase_rate', 'purchases / adds to cart, smoothed towards 0.3 with 5 pseudo-carts', 0.3, I, (r) =>
    r.item.behaviour ? smoothedRate(r.item.behaviour.purchases, r.item.behaviour.carts, 0.3, 5) : undefined,
  ),
];

const MATCH: FeatureDefinition[] = [
  f('match.category_favorite', "1 when the item's category is one of the user's favourites", 0, UI, (r) =>
    bool(r.item.category !== undefined && r.user?.favoriteCategories ? r.user.favoriteCategories.includes(r.item.category) : undefined),
  ),
  f('match.category_favorite_rank', "1/(1+position) of the item's category in the user's favourites; 0 when not a favourite", 0, UI, (r) => {
    const i = r.item.category === undefined ? -1 : (r.user?.favoriteCategories?.indexOf(r.item.category) ?? -1);
    return i < 0 ? 0 : 1 / (1 + i);
  }),
  f('match.brand_preferred', "1 when the item's brand is one of the user's preferred brands", 0, UI, (r) =>
    bool(r.item.brand !== undefined && r.user?.preferredBrands ? r.user.preferredBrands.includes(r.item.brand) : undefined),
  ),
  f('match.product_favorite', '1 when the item is one of the user\'s favourite products', 0, UI, (r) =>
    bool(r.user?.favoriteProducts ? r.user.favoriteProducts.includes(r.itemId) : undefined),
  ),
  f('match.price_vs_user_aov', "item price / the user's average order value; 1 when either is unknown", 1, UI, (r) => {
    const aov = avgOrderValue(r);
    return aov && aov > 0 && r.item.price !== undefined ? r.item.price / aov : undefined;
  }),
  f('match.price_fits_sensitivity', "1 when the price suits the user's sensitivity (high: ≤ AOV, low: ≥ AOV, medium: within 0.5..2x); 0.5 unknown", 0.5, UI, (r) => {
    const aov = avgOrderValue(r);
    const s = r.user?.priceSensitivity;
    if (!aov || !s || r.item.price === undefined) return undefined;
    const x = r.item.price / aov;
    return s === 'high' ? bool(x <= 1) : s === 'low' ? bool(x >= 1) : bool(x >= 0.5 && x <= 2);
  }),
  f('match.same_category_as_context', "1 when the item's category equals the page's category (or the page item's)", 0, IC, (r) => {
    const c = r.context.category ?? r.context.itemCategory;
    return bool(c !== undefined && r.item.category !== undefined ? c === r.item.category : undefined);
  }),
  f('match.same_brand_as_context', "1 when the item's brand equals the page item's brand", 0, IC, (r) =>
    bool(r.context.itemBrand !== undefined && r.item.brand !== undefined ? r.context.itemBrand === r.item.brand : undefined),
  ),
  f('match.co_visitation', 'ln(1 + sessions that clicked this item and the page / recent / cart items)', 0, P, (r) => log1p(r.pair?.coVisitation)),
  f('match.co_visitation_share', 'co-visitation over the strongest any item reached from the same seeds has (0..1); 0 without', 0, P, (r) => r.pair?.coVisitationShare),
  f('match.next_item', '1 when logged sessions went from a recent item to this one', 0, P, (r) => r.pair?.nextItem),
];

const CONTEXT: FeatureDefinition[] = [
  ...oneHot('context.device', 'visitor device', C, DEVICES, (r) => r.context.device),
  ...oneHot('context.page', 'page type', C, PAGES, (r) => r.context.pageType),
  f('context.hour_of_day', 'local hour 0..23 in the request time zone (UTC when none)', 0, C, (r) => localHourAndDay(r.context.time, r.context.timeZone).hour),
  f('context.hour_sin', 'sin(2π·hour/24): hour on a circle', 0, C, (r) => Math.sin((2 * Math.PI * localHourAndDay(r.context.time, r.context.timeZone).hour) / 24)),
  f('context.hour_cos', 'cos(2π·hour/24)', 1, C, (r) => Math.cos((2 * Math.PI * localHourAndDay(r.context.time, r.context.timeZone).hour) / 24)),
  f('context.day_of_week', 'local day of week 0 (Monday)..6 (Sunday)', 0, C, (r) => localHourAndDay(r.context.time, r.context.timeZone).day),
  f('context.is_weekend', '1 on local Saturday and Sunday', 0, C, (r) => bool(localHourAndDay(r.context.time, r.context.timeZone).day >= 5)),
  f('context.cart_size', 'items in the cart', 0, C, (r) => r.context.cartSize),
  f('context.recent_count', 'recently viewed items sent with the request', 0, C, (r) => r.context.recentCount),
  f('context.has_item', '1 when the page is about an item', 0, C, (r) => (r.context.itemId ? 1 : 0)),
];

/** Every fixed feature, in a stable documented order. `candidate.<key>` names are open-ended. */
export const FEATURES: readonly FeatureDefinition[] = Object.freeze([...USER, ...ITEM, ...MATCH, ...CONTEXT]);

export const FEATURES_BY_NAME: ReadonlyMap<string, FeatureDefinition> = new Map(FEATURES.map((d) => [d.name, d]));

/** `candidate.<key>`: keys of 1..64 characters of [A-Za-z0-9_] (the contract's rule for Candidate.features). */
export const CANDIDATE_FEATURE = /^candidate\.([A-Za-z0-9_]{1,64})$/;
/**
 * The same rule for a bare key (`relevance`), checked for every feature of every
 * caller candidate: a character loop, several times cheaper than the regex there.
 */
export function isCandidateKey(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    // 0-9, A-Z, _, a-z
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95 || (c >= 97 && c <= 122))) return false;
  }
  return true;
}
