import type { Event, Website } from '@recsys/contracts/profile';
import { DEVICES, EVENT_TYPES } from '@recsys/contracts/vocabularies';
import { InvalidArgumentError } from '@recsys/service-kit';
import type { WebsiteRecord } from '../store/websites';
import type { EventKind, NormalizedEvent } from './normalized-event';

export const MAX_EVENTS_PER_BATCH = 10_000;
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const EARLIEST = Date.UTC(2000, 0, 1);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_ID = /^[\x20-\x7e]{1,128}$/;
// Money (docs/contracts.md): up to 15 integer and 4 fraction digits, no sign, exponent or grouping.
const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const codePoints = (s: string) => [...s].length;

/** `website_id: must be a UUID` unless it is one; returns it lowercase. */
export function validateWebsiteId(value: string, field = 'website_id'): string {
  if (!UUID.test(value)) throw new InvalidArgumentError('must be a UUID', field);
  return value.toLowerCase();
}

/** user_id: 1..255 code points, no control characters. */
export function validateUserId(value: string, field = 'user_id'): string {
  if (!value) throw new InvalidArgumentError('must be set (1..255 characters)', field);
  if (codePoints(value) > 255) throw new InvalidArgumentError(`must be at most 255 characters, got ${codePoints(value)}`, field);
  if (CONTROL.test(value)) throw new InvalidArgumentError('must not contain control characters', field);
  return value;
}

export const MAX_WEBSITES_PER_UPSERT = 1000;

/** UpsertWebsites' list: 1..1,000 distinct websites, names 1..100, domains ≤ 500 characters. */
export function validateWebsites(websites: readonly Website[]): WebsiteRecord[] {
  if (websites.length === 0 || websites.length > MAX_WEBSITES_PER_UPSERT) {
    throw new InvalidArgumentError(`must hold 1..${MAX_WEBSITES_PER_UPSERT} websites, got ${websites.length}`, 'websites');
  }
  const seen = new Set<string>();
  return websites.map((w, i) => {
    const field = (name: string) => `websites[${i}].${name}`;
    const websiteId = validateWebsiteId(w.websiteId, field('website_id'));
    if (seen.has(websiteId)) throw new InvalidArgumentError('must appear once in the list', field('website_id'));
    seen.add(websiteId);
    const name = w.name.trim();
    if (!name || codePoints(name) > 100 || CONTROL.test(name)) throw new InvalidArgumentError('must be 1..100 characters without control characters', field('name'));
    const domain = w.domain.trim();
    if (codePoints(domain) > 500 || CONTROL.test(domain)) throw new InvalidArgumentError('must be at most 500 characters without control characters', field('domain'));
    return { websiteId, name, domain: domain || null };
  });
}

/**
 * Validates a whole batch; the first bad event rejects it (INVALID_ARGUMENT
 * naming `events[i].field`), so the batch is recorded entirely or not at all.
 */
export function validateEvents(events: readonly Event[], now: Date): NormalizedEvent[] {
  if (events.length === 0) throw new InvalidArgumentError('must hold 1..10000 events, got 0', 'events');
  if (events.length > MAX_EVENTS_PER_BATCH) {
    throw new InvalidArgumentError(`must hold 1..${MAX_EVENTS_PER_BATCH} events, got ${events.length}`, 'events');
  }
  return events.map((e, i) => validateEvent(e, i, now));
}

function validateEvent(e: Event, i: number, now: Date): NormalizedEvent {
  const bad = (field: string, message: string) => new InvalidArgumentError(message, `events[${i}].${field}`);
  const optionalText = (field: string, value: string, max: number): string | null => {
    if (!value) return null;
    if (codePoints(value) > max) throw bad(field, `must be at most ${max} characters, got ${codePoints(value)}`);
    return value;
  };
  const decimal = (field: string, value: string): string | null => {
    if (!value) return null;
    if (!DECIMAL.test(value)) throw bad(field, `must be a non-negative decimal such as "19.99" (up to 15 integer and 4 fraction digits), got ${JSON.stringify(value)}`);
    return value;
  };
  const range = (field: string, value: number | undefined, max: number): number | null => {
    if (value === undefined || value === null) return null;
    if (!Number.isInteger(value) || value < 0 || value > max) throw bad(field, `must be 0..${max}, got ${value}`);
    return value;
  };

  if (!EVENT_ID.test(e.eventId)) throw bad('event_id', 'must be 1..128 printable ASCII characters');
  validateUserId(e.userId, `events[${i}].user_id`);
  if (!UUID.test(e.sessionId)) throw bad('session_id', 'must be a UUID');
  const occurredAt = e.occurredAt;
  if (!occurredAt || Number.isNaN(occurredAt.getTime())) throw bad('occurred_at', 'must be set');
  if (occurredAt.getTime() < EARLIEST) throw bad('occurred_at', 'must not be before 2000-01-01T00:00:00Z');
  if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw bad('occurred_at', `must not be more than 5 minutes after the server's clock (${now.toISOString()})`);
  }
  const type = EVENT_TYPES.nameOf(e.type);
  if (!type) throw bad('type', 'must be set to a known EventType');
  if (e.pageView !== undefined && type !== 'product_view') throw bad('page_view', 'must be unset unless the type is PRODUCT_VIEW');
  const kind: EventKind = type === 'product_view' && e.pageView === false ? 'item_view' : type;

  if (kind === 'custom') {
    if (!e.name || codePoints(e.name) > 50) throw bad('name', 'must be 1..50 characters for a CUSTOM event');
  } else if (e.name) {
    throw bad('name', 'must be empty unless the type is CUSTOM');
  }
  if (e.urlPath) {
    if (!e.urlPath.startsWith('/')) throw bad('url_path', 'must start with "/"');
    if (codePoints(e.urlPath) > 500) throw bad('url_path', 'must be at most 500 characters');
  } else if (kind === 'page_view') {
    throw bad('url_path', 'must be set for a PAGE_VIEW');
  }
  optionalText('referrer', e.referrer, 2048);
  const timeOnPageSeconds = range('time_on_page_seconds', e.timeOnPageSeconds, 86_400);
  const scrollDepthPercent = range('scroll_depth_percent', e.scrollDepthPercent, 100);

  const itemId = optionalText('item_id', e.itemId, 255);
  if (!itemId && (type === 'product_view' || type === 'add_to_cart')) throw bad('item_id', `must be set for ${type === 'product_view' ? 'PRODUCT_VIEW' : 'ADD_TO_CART'}`);
  if (itemId && kind === 'page_view') throw bad('item_id', 'must be empty for a PAGE_VIEW');
  const category = optionalText('category', e.category, 255);
  const brand = optionalText('brand', e.brand, 255);
  const price = decimal('price', e.price);

  const revenue = decimal('revenue', e.revenue);
  if (kind === 'purchase' && revenue === null) throw bad('revenue', 'must be set for a PURCHASE');
  if (kind !== 'purchase' && revenue !== null) throw bad('revenue', 'must be empty unless the type is PURCHASE');
  const orderId = optionalText('order_id', e.orderId, 255);
  if (kind !== 'purchase' && orderId !== null) throw bad('order_id', 'must be empty unless the type is PURCHASE');

  return {
    eventId: e.eventId,
    userId: e.userId,
    sessionId: e.sessionId.toLowerCase(),
    occurredAt,
    kind,
    // Unknown enum numbers (a newer client) count as unspecified.
    device: DEVICES.nameOf(e.device) ?? null,
    timeOnPageSeconds,
    scrollDepthPercent,
    itemId,
    category,
    brand,
    price,
    revenue,
    orderId,
  };
}
