import { Device, EventType, type Event } from '@recsys/contracts/profile';

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
  /** event_data as key → text value, plus the WooCommerce-style website_event columns that exist. */
  data: Record<string, string | null> | null;
}

const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;
const ADD_TO_CART = new Set(['add_to_cart', 'add-to-cart', 'addtocart', 'cart_add', 'add_to_basket']);
const PURCHASE = new Set(['purchase', 'order', 'order_completed', 'order_complete', 'checkout_completed', 'checkout_complete']);
const PRODUCT_VIEW = new Set(['product_view', 'view_item', 'view_product']);

/** The first present value among the keys WooCommerce-style trackers use for one fact. */
const pick = (data: UmamiRow['data'], ...keys: string[]) => {
  for (const k of keys) {
    const v = data?.[k];
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim();
  }
  return '';
};

/** A decimal the contract accepts (4 fraction digits at most), or '' when it is not one. */
function money(value: string): string {
  if (!value) return '';
  const n = /^\d+(\.\d+)?$/.test(value) ? value.replace(/^(\d+\.\d{4})\d+$/, '$1') : '';
  return DECIMAL.test(n) ? n : '';
}

function intIn(value: string, max: number): number | undefined {
  if (!value || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  const n = Math.round(Number(value));
  return n >= 0 && n <= max ? n : undefined;
}

const cut = (s: string, max: number) => [...s].slice(0, max).join('');

function device(umami: string | null): Device {
  switch (umami) {
    case 'mobile':
      return Device.DEVICE_MOBILE;
    case 'tablet':
      return Device.DEVICE_TABLET;
    case 'desktop':
    case 'laptop':
      return Device.DEVICE_DESKTOP;
    default:
      return Device.DEVICE_UNSPECIFIED;
  }
}

/**
 * Maps an Umami event to a TrackEvents event (rules in docs/profiles.md,
 * "Umami import"), or null when it cannot be one. Optional facts that would
 * not pass validation are dropped rather than failing the batch.
 */
export function toTrackEvent(row: UmamiRow): Event | null {
  const d = row.data;
  const itemId = cut(pick(d, 'product_id', 'item_id', 'productId', 'sku'), 255);
  const revenue = money(pick(d, 'revenue', 'order_total', 'total'));
  const orderId = cut(pick(d, 'order_id', 'orderId', 'transaction_id'), 255);
  const name = (row.event_name ?? '').trim();
  const lname = name.toLowerCase();

  let type: EventType;
  if (row.event_type === 1) {
    type = itemId ? EventType.EVENT_TYPE_PRODUCT_VIEW : EventType.EVENT_TYPE_PAGE_VIEW;
  } else if (row.event_type === 2) {
    if (revenue && (orderId || PURCHASE.has(lname))) type = EventType.EVENT_TYPE_PURCHASE;
    else if (itemId && (ADD_TO_CART.has(lname) || (pick(d, 'cart_value') && !PURCHASE.has(lname)))) type = EventType.EVENT_TYPE_ADD_TO_CART;
    else if (itemId && PRODUCT_VIEW.has(lname)) type = EventType.EVENT_TYPE_PRODUCT_VIEW;
    else type = EventType.EVENT_TYPE_CUSTOM;
  } else {
    return null;
  }
  // The contract refuses times before 2000 (a broken client clock): skip rather than fail the batch.
  if (row.created_at.getTime() < Date.UTC(2000, 0, 1)) return null;

  const rawPath = (row.url_path ?? '') + (row.url_query ? `?${row.url_query}` : '');
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const referrer = [row.referrer_domain ?? '', row.referrer_path ?? ''].join('');
  const userId = cut(row.distinct_id?.trim() || row.session_id, 255);

  return {
    eventId: row.event_id,
    userId,
    sessionId: row.visit_id,
    occurredAt: row.created_at,
    type,
    name: type === EventType.EVENT_TYPE_CUSTOM ? cut(name || 'event', 50) : '',
    urlPath: cut(path, 500),
    referrer: cut(referrer, 2048),
    device: device(row.device),
    timeOnPageSeconds: intIn(pick(d, 'time_on_page', 'time_on_page_seconds'), 86_400),
    scrollDepthPercent: intIn(pick(d, 'scroll_depth', 'scroll_depth_percent'), 100),
    itemId: type === EventType.EVENT_TYPE_PAGE_VIEW ? '' : itemId,
    category: cut(pick(d, 'category', 'product_category'), 255),
    brand: cut(pick(d, 'brand', 'product_brand'), 255),
    price: money(pick(d, 'price', 'product_price')),
    revenue: type === EventType.EVENT_TYPE_PURCHASE ? revenue : '',
    orderId: type === EventType.EVENT_TYPE_PURCHASE ? orderId : '',
  };
}
