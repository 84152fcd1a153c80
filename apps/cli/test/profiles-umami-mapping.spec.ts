import { Device, EventType } from '@recsys/contracts/profile';
import { toTrackEvent, type UmamiRow } from '../src/umami/umami-mapping';

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
  data: {},
  ...over,
});

/** The Umami → TrackEvents mapping rules of docs/profiles.md, one by one. */
describe('Umami event mapping', () => {
  it('a page view; with a product id it is a product view', () => {
    expect(toTrackEvent(row({ url_query: 'page=2' }))).toMatchObject({ type: EventType.EVENT_TYPE_PAGE_VIEW, urlPath: '/shop?page=2', itemId: '' });
    expect(toTrackEvent(row({ data: { product_id: 'sku', category: 'c', price: '12.50000' } }))).toMatchObject({
      type: EventType.EVENT_TYPE_PRODUCT_VIEW,
      itemId: 'sku',
      category: 'c',
      price: '12.5000', // Umami's numeric(19,4) text, cut to the contract's 4 fraction digits
    });
  });

  it('custom events become purchases, carts, product views or stay custom', () => {
    expect(toTrackEvent(row({ event_type: 2, event_name: 'checkout_completed', data: { revenue: '99.9' } }))).toMatchObject({
      type: EventType.EVENT_TYPE_PURCHASE,
      revenue: '99.9',
    });
    expect(toTrackEvent(row({ event_type: 2, event_name: 'anything', data: { revenue: '5', order_id: 'o1' } }))).toMatchObject({
      type: EventType.EVENT_TYPE_PURCHASE,
      orderId: 'o1',
    });
    expect(toTrackEvent(row({ event_type: 2, event_name: 'add_to_cart', data: { product_id: 'p' } }))?.type).toBe(EventType.EVENT_TYPE_ADD_TO_CART);
    expect(toTrackEvent(row({ event_type: 2, event_name: 'cart', data: { product_id: 'p', cart_value: '10' } }))?.type).toBe(EventType.EVENT_TYPE_ADD_TO_CART);
    expect(toTrackEvent(row({ event_type: 2, event_name: 'add_to_cart' }))).toMatchObject({ type: EventType.EVENT_TYPE_CUSTOM, name: 'add_to_cart' });
    expect(toTrackEvent(row({ event_type: 2, event_name: 'view_item', data: { item_id: 'p' } }))?.type).toBe(EventType.EVENT_TYPE_PRODUCT_VIEW);
    expect(toTrackEvent(row({ event_type: 2, event_name: 'purchase' }))).toMatchObject({ type: EventType.EVENT_TYPE_CUSTOM, revenue: '' });
  });

  it('user, session, device, and facts that would not validate are dropped, not fatal', () => {
    const e = toTrackEvent(row({ device: 'laptop', distinct_id: 'member-7', url_path: 'no-slash', data: { scroll_depth: '140', time_on_page: '12.4', price: '-3' } }))!;
    expect(e).toMatchObject({ userId: 'member-7', sessionId: '22222222-2222-4222-8222-222222222222', device: Device.DEVICE_DESKTOP, urlPath: '/no-slash' });
    expect(e.scrollDepthPercent).toBeUndefined();
    expect(e.timeOnPageSeconds).toBe(12);
    expect(e.price).toBe('');
    expect(toTrackEvent(row({ distinct_id: null }))!.userId).toBe('11111111-1111-4111-8111-111111111111');
  });

  it('skips what TrackEvents could never accept', () => {
    expect(toTrackEvent(row({ event_type: 3 }))).toBeNull();
    expect(toTrackEvent(row({ created_at: new Date('1999-12-31T23:59:59Z') }))).toBeNull();
  });
});
