import { Device, EventType, type Event } from '@recsys/contracts/profile';
import { DEVICES } from '@recsys/contracts/vocabularies';
import { fromUnits, money, toUnits } from './money';
import { UmamiFacts, type LineItem, type UmamiDatum } from './umami-facts';

/** One website_event row as read from an Umami database, with its session and event_data. */
export interface UmamiRow {
  event_id: string;
  session_id: string;
  /** website_event.visit_id when the column exists (Umami >= 2.10), else the session id. */
  visit_id: string;
  /** session.distinct_id when the column exists and is set (a site's own user id). */
  distinct_id: string | null;
  created_at: Date;
  /** created_at in microseconds, the watermark. */
  created_at_text: string;
  url_path: string | null;
  url_query: string | null;
  referrer_domain: string | null;
  referrer_path: string | null;
  event_type: number;
  event_name: string | null;
  device: string | null;
  /** event_data rows plus the WooCommerce-style website_event columns that exist (as strings). */
  data: UmamiDatum[] | null;
}

/** Why an event was not imported; counted per website in the summary. */
export type SkipReason = 'link' | 'pixel' | 'performance' | 'other_type' | 'before_2000' | 'other_currency' | 'anonymous';

export interface MappingOptions {
  /** The website's reporting currency (upper case); events with revenue in another are skipped. null: none known yet. */
  currency: string | null;
  /** Import only events of visitors the site identified (session.distinct_id set). */
  identifiedOnly: boolean;
}

export type Mapped = { events: Event[] } | { skipped: SkipReason };

const UMAMI_TYPE_SKIPS: Record<number, SkipReason> = { 3: 'link', 4: 'pixel', 5: 'performance' };
const ADD_TO_CART = new Set(['add_to_cart', 'add-to-cart', 'addtocart', 'cart_add', 'add_to_basket']);
const PURCHASE = new Set(['purchase', 'order', 'order_completed', 'order_complete', 'checkout_completed', 'checkout_complete']);
const PRODUCT_VIEW = new Set(['product_view', 'view_item', 'view_product']);
const ITEM_ID = ['product_id', 'item_id', 'productId', 'sku', 'product.id', 'product.product_id', 'product.sku', 'item.id', 'item.item_id', 'item.sku'];
const CATEGORY = ['category', 'product_category', 'item_category', 'product.category', 'item.category', 'item.item_category'];
const BRAND = ['brand', 'product_brand', 'item_brand', 'product.brand', 'item.brand', 'item.item_brand'];
const PRICE = ['price', 'product_price', 'product.price', 'item.price'];

function intIn(value: string, max: number): number | undefined {
  if (!value || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  const n = Math.round(Number(value));
  return n >= 0 && n <= max ? n : undefined;
}

const cut = (s: string, max: number) => [...s].slice(0, max).join('');

/** Umami's device names are the contract's, plus `laptop` (a desktop); anything else is unspecified. */
const device = (umami: string | null): Device => DEVICES.valueOf(umami === 'laptop' ? 'desktop' : umami);

/**
 * Revenue of an order split over its lines so the parts add up exactly to it:
 * each line its price × quantity when every line is priced and they fit in
 * the order's revenue, the rest on a line-less part; otherwise everything on
 * the first line. Umami's revenue (the order's) is what the profile sums.
 */
function splitRevenue(revenue: string, lines: LineItem[]): { lineRevenue: string[]; rest: string } {
  const total = toUnits(revenue);
  const prices = lines.map((l) => money(l.price));
  if (prices.every(Boolean)) {
    const parts = lines.map((l, i) => (toUnits(prices[i]) * BigInt(Math.round(l.quantity * 10_000))) / 10_000n);
    const sum = parts.reduce((a, b) => a + b, 0n);
    if (sum <= total) return { lineRevenue: parts.map(fromUnits), rest: total > sum ? fromUnits(total - sum) : '' };
  }
  return { lineRevenue: lines.map((_, i) => (i === 0 ? fromUnits(total) : '0')), rest: '' };
}

/**
 * Maps one Umami event to the TrackEvents events it stands for (rules in
 * docs/profiles.md, "Umami import"): none when it is skipped (with the
 * reason), one, or one per line item. Optional facts that would not pass
 * validation are dropped rather than failing the batch.
 */
export function toTrackEvents(row: UmamiRow, options: MappingOptions): Mapped {
  if (row.event_type !== 1 && row.event_type !== 2) return { skipped: UMAMI_TYPE_SKIPS[row.event_type] ?? 'other_type' };
  // The contract refuses times before 2000 (a broken client clock): skip rather than fail the batch.
  if (row.created_at.getTime() < Date.UTC(2000, 0, 1)) return { skipped: 'before_2000' };
  const distinctId = row.distinct_id?.trim() ?? '';
  if (options.identifiedOnly && !distinctId) return { skipped: 'anonymous' };

  const facts = new UmamiFacts(row.data ?? []);
  const lines = facts.lineItems();
  const itemId = cut(facts.pick(...ITEM_ID), 255);
  const orderId = cut(facts.pick('order_id', 'orderId', 'transaction_id', 'order.id'), 255);
  const name = (row.event_name ?? '').trim();
  const lname = name.toLowerCase();
  // Umami's convention (its Revenue report): a numeric `revenue` above 0 with a `currency`, on any event.
  const currency = facts.pick('currency').toUpperCase();
  const umamiRevenue = facts.isNumber('revenue') ? money(facts.pick('revenue')) : '';
  const revenue = umamiRevenue || money(facts.pick('revenue', 'order_total', 'total'));

  let type: EventType;
  let pageView: boolean | undefined;
  if (row.event_type === 1) {
    type = itemId ? EventType.EVENT_TYPE_PRODUCT_VIEW : EventType.EVENT_TYPE_PAGE_VIEW;
  } else if (currency && umamiRevenue && toUnits(umamiRevenue) > 0n) {
    if (options.currency !== null && currency !== options.currency) return { skipped: 'other_currency' };
    type = EventType.EVENT_TYPE_PURCHASE;
  } else if (revenue && !currency && (orderId || PURCHASE.has(lname))) {
    // The older convention without a currency: counted as the reporting currency.
    type = EventType.EVENT_TYPE_PURCHASE;
  } else if ((itemId || lines.length) && (ADD_TO_CART.has(lname) || (facts.pick('cart_value') && !PURCHASE.has(lname)))) {
    type = EventType.EVENT_TYPE_ADD_TO_CART;
  } else if ((itemId || lines.length) && PRODUCT_VIEW.has(lname)) {
    // The page itself is Umami's page view (event type 1): this one must not count as a second one.
    type = EventType.EVENT_TYPE_PRODUCT_VIEW;
    pageView = false;
  } else {
    type = EventType.EVENT_TYPE_CUSTOM;
  }

  const rawPath = (row.url_path ?? '') + (row.url_query ? `?${row.url_query}` : '');
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const base: Event = {
    eventId: row.event_id,
    userId: cut(distinctId || row.session_id, 255),
    sessionId: row.visit_id,
    occurredAt: row.created_at,
    type,
    name: type === EventType.EVENT_TYPE_CUSTOM ? cut(name || 'event', 50) : '',
    urlPath: cut(path, 500),
    referrer: cut([row.referrer_domain ?? '', row.referrer_path ?? ''].join(''), 2048),
    device: device(row.device),
    timeOnPageSeconds: intIn(facts.pick('time_on_page', 'time_on_page_seconds'), 86_400),
    scrollDepthPercent: intIn(facts.pick('scroll_depth', 'scroll_depth_percent'), 100),
    pageView,
    itemId: type === EventType.EVENT_TYPE_PAGE_VIEW ? '' : itemId,
    category: cut(facts.pick(...CATEGORY), 255),
    brand: cut(facts.pick(...BRAND), 255),
    price: money(facts.pick(...PRICE)),
    revenue: type === EventType.EVENT_TYPE_PURCHASE ? revenue : '',
    // One Umami event is one order unless it names its order.
    orderId: type === EventType.EVENT_TYPE_PURCHASE ? orderId || row.event_id : '',
  };
  const perLine = type === EventType.EVENT_TYPE_PURCHASE || type === EventType.EVENT_TYPE_ADD_TO_CART || (type === EventType.EVENT_TYPE_PRODUCT_VIEW && pageView === false);
  if (!perLine || lines.length === 0 || itemId) return { events: [base] };

  // A line-item array: one event per line (the first keeps Umami's event id, so replays still dedupe).
  const split = type === EventType.EVENT_TYPE_PURCHASE ? splitRevenue(revenue, lines) : undefined;
  const events = lines.map((l, i) => ({
    ...base,
    eventId: i === 0 ? row.event_id : `${row.event_id}:${i}`,
    itemId: cut(l.itemId, 255),
    category: cut(l.category, 255) || base.category,
    brand: cut(l.brand, 255) || base.brand,
    price: money(l.price),
    revenue: split ? split.lineRevenue[i] : '',
  }));
  if (split?.rest) events.push({ ...base, eventId: `${row.event_id}:rest`, itemId: '', category: '', brand: '', price: '', revenue: split.rest });
  return { events };
}
