import { Device, EventType, type Event } from '@recsys/contracts/profile';
import { toTrackEvents, type MappingOptions, type UmamiRow } from '../src/umami/umami-mapping';
import type { UmamiDatum } from '../src/umami/umami-facts';

const row = (over: Partial<UmamiRow>): UmamiRow => ({
  event_id: 'e1',
  session_id: '11111111-1111-4111-8111-111111111111',
  visit_id: '22222222-2222-4222-8222-222222222222',
  distinct_id: null,
  created_at: new Date('2026-11-01T00:00:00Z'),
  created_at_text: '2026-11-01T00:00:00.000000Z',
  url_path: '/shop',
  url_query: null,
  referrer_domain: null,
  referrer_path: null,
  event_type: 1,
  event_name: null,
  device: null,
  data: [],
  ...over,
});
const str = (key: string, value: string): UmamiDatum => [key, 1, value];
const num = (key: string, value: string): UmamiDatum => [key, 2, value];
const OPTIONS: MappingOptions = { currency: 'EUR', identifiedOnly: false };
const events = (r: UmamiRow, options = OPTIONS): Event[] => {
  const m = toTrackEvents(r, options);
  if (!('events' in m)) throw new Error(`skipped: ${m.skipped}`);
  return m.events;
};
const one = (r: UmamiRow, options = OPTIONS) => {
  const e = events(r, options);
  expect(e).toHaveLength(1);
  return e[0];
};

/** The Umami → TrackEvents mapping rules of docs/profiles.md, one by one. */
describe('Umami event mapping', () => {
  it('a page view; with a product id it is a product view (and a page view)', () => {
    expect(one(row({ url_query: 'page=2' }))).toMatchObject({ type: EventType.EVENT_TYPE_PAGE_VIEW, urlPath: '/shop?page=2', itemId: '' });
    expect(one(row({ data: [num('product_id', '4124'), str('category', 'c'), num('price', '12.5')] }))).toMatchObject({
      type: EventType.EVENT_TYPE_PRODUCT_VIEW,
      pageView: undefined,
      itemId: '4124',
      category: 'c',
      price: '12.5',
    });
  });

  it('nested keys (Umami joins them with ".") fill the product fields', () => {
    const e = one(row({ event_type: 2, event_name: 'add_to_cart', data: [num('product.id', '77'), str('product.category', 'hats'), str('product.brand', 'Acme'), num('product.price', '9.99')] }));
    expect(e).toMatchObject({ type: EventType.EVENT_TYPE_ADD_TO_CART, itemId: '77', category: 'hats', brand: 'Acme', price: '9.99' });
  });

  it("a custom view_item is a product view that is not another page view (the page is Umami's page view)", () => {
    expect(one(row({ event_type: 2, event_name: 'view_item', data: [str('item_id', 'p')] }))).toMatchObject({ type: EventType.EVENT_TYPE_PRODUCT_VIEW, pageView: false, itemId: 'p' });
  });

  it("revenue by Umami's convention: a numeric revenue with a currency on any event; another currency is skipped", () => {
    const e = one(row({ event_type: 2, event_name: 'checkout-cart', data: [num('revenue', '99.9'), str('currency', 'eur')] }));
    expect(e).toMatchObject({ type: EventType.EVENT_TYPE_PURCHASE, revenue: '99.9', orderId: 'e1' });
    expect(toTrackEvents(row({ event_type: 2, event_name: 'checkout-cart', data: [num('revenue', '5'), str('currency', 'USD')] }), OPTIONS)).toEqual({ skipped: 'other_currency' });
    // No reporting currency known yet (nothing decided it): counted.
    expect(one(row({ event_type: 2, event_name: 'x', data: [num('revenue', '5'), str('currency', 'USD')] }), { ...OPTIONS, currency: null }).type).toBe(EventType.EVENT_TYPE_PURCHASE);
    // Revenue 0 is no purchase in Umami's report.
    expect(one(row({ event_type: 2, event_name: 'x', data: [num('revenue', '0'), str('currency', 'EUR')] })).type).toBe(EventType.EVENT_TYPE_CUSTOM);
  });

  it('the older convention (revenue with an order id or a purchase name, no currency) still counts', () => {
    expect(one(row({ event_type: 2, event_name: 'checkout_completed', data: [str('revenue', '99.9')] }))).toMatchObject({ type: EventType.EVENT_TYPE_PURCHASE, revenue: '99.9' });
    expect(one(row({ event_type: 2, event_name: 'anything', data: [str('revenue', '5'), str('order_id', 'o1')] }))).toMatchObject({ type: EventType.EVENT_TYPE_PURCHASE, orderId: 'o1' });
    expect(one(row({ event_type: 2, event_name: 'purchase' }))).toMatchObject({ type: EventType.EVENT_TYPE_CUSTOM, revenue: '' });
  });

  it('a purchase with a GA4-style items array is one purchase line per item; line revenues add up to the order', () => {
    const items = JSON.stringify([
      { item_id: 'A', item_category: 'shoes', price: 10, quantity: 2 },
      { item_id: 'B', price: 5.5 },
      { item_id: 'C', item_brand: 'Acme', price: 1.25, quantity: 4 },
    ]);
    const lines = events(row({ event_type: 2, event_name: 'purchase', data: [num('revenue', '40'), str('currency', 'EUR'), [ 'items', 5, items ], str('order_id', 'o9')] }));
    // 2 x 10 + 5.5 + 4 x 1.25 = 30.5; the other 9.5 (shipping, tax) on a line-less part of the same order.
    expect(lines.map((e) => [e.eventId, e.itemId, e.category, e.brand, e.price, e.revenue, e.orderId])).toEqual([
      ['e1', 'A', 'shoes', '', '10', '20', 'o9'],
      ['e1:1', 'B', '', '', '5.5', '5.5', 'o9'],
      ['e1:2', 'C', '', 'Acme', '1.25', '5', 'o9'],
      ['e1:rest', '', '', '', '', '9.5', 'o9'],
    ]);
    // Lines worth more than the order (a discount): the order's revenue on the first line, nothing invented.
    const discounted = events(row({ event_type: 2, event_name: 'purchase', data: [num('revenue', '20'), str('currency', 'EUR'), ['items', 5, items]] }));
    expect(discounted.map((e) => e.revenue)).toEqual(['20', '0', '0']);
    expect(new Set(discounted.map((e) => e.orderId))).toEqual(new Set(['e1']));
  });

  it('an add to cart with items is one cart event per item', () => {
    const items = JSON.stringify([{ id: 1 }, { product_id: 'x2' }, { name: 'no id: dropped' }]);
    expect(events(row({ event_type: 2, event_name: 'add_to_cart', data: [['items', 5, items]] })).map((e) => [e.type, e.itemId])).toEqual([
      [EventType.EVENT_TYPE_ADD_TO_CART, '1'],
      [EventType.EVENT_TYPE_ADD_TO_CART, 'x2'],
    ]);
  });

  it('user, session, device, and facts that would not validate are dropped, not fatal', () => {
    const e = one(row({ device: 'laptop', distinct_id: 'member-7', url_path: 'no-slash', data: [num('scroll_depth', '140'), num('time_on_page', '12.4'), str('price', '-3')] }));
    expect(e).toMatchObject({ userId: 'member-7', sessionId: '22222222-2222-4222-8222-222222222222', device: Device.DEVICE_DESKTOP, urlPath: '/no-slash' });
    expect(e.scrollDepthPercent).toBeUndefined();
    expect(e.timeOnPageSeconds).toBe(12);
    expect(e.price).toBe('');
    expect(one(row({ distinct_id: null })).userId).toBe('11111111-1111-4111-8111-111111111111');
  });

  it('skips link, pixel and performance events, times before 2000, and with --identified-only anonymous visitors, each with its reason', () => {
    expect(toTrackEvents(row({ event_type: 3 }), OPTIONS)).toEqual({ skipped: 'link' });
    expect(toTrackEvents(row({ event_type: 4 }), OPTIONS)).toEqual({ skipped: 'pixel' });
    expect(toTrackEvents(row({ event_type: 5 }), OPTIONS)).toEqual({ skipped: 'performance' });
    expect(toTrackEvents(row({ event_type: 9 }), OPTIONS)).toEqual({ skipped: 'other_type' });
    expect(toTrackEvents(row({ created_at: new Date('1999-12-31T23:59:59Z') }), OPTIONS)).toEqual({ skipped: 'before_2000' });
    expect(toTrackEvents(row({}), { ...OPTIONS, identifiedOnly: true })).toEqual({ skipped: 'anonymous' });
    expect(one(row({ distinct_id: 'm1' }), { ...OPTIONS, identifiedOnly: true }).userId).toBe('m1');
  });
});
