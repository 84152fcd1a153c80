import { randomUUID } from 'node:crypto';
import { Device, EventType, FunnelPosition, PriceSensitivity } from '@recsys/contracts/profile';
import { at, event, startHarness, type Harness } from './support/harness';

const { EVENT_TYPE_PAGE_VIEW: PAGE, EVENT_TYPE_PRODUCT_VIEW: PRODUCT, EVENT_TYPE_ADD_TO_CART: CART, EVENT_TYPE_PURCHASE: PURCHASE, EVENT_TYPE_CUSTOM: CUSTOM } =
  EventType;

/**
 * Each aggregation rule of docs/profiles.md on a hand-built event sequence;
 * the expected values are worked out in the comments.
 */
describe('profile aggregation rules', () => {
  let h: Harness;
  let site: string;
  const T0 = new Date('2026-11-20T10:00:00Z');
  beforeAll(async () => {
    h = await startHarness();
  });
  beforeEach(async () => {
    site = await h.newWebsite();
  });
  afterAll(() => h?.close());

  it('counts events, page views, orders and exact revenue; funnel reaches RETENTION', async () => {
    const s = randomUUID();
    const u = { userId: 'u1', sessionId: s };
    await h.track(site, [
      event({ ...u, type: PAGE, occurredAt: at(T0, 0) }),
      event({ ...u, type: PRODUCT, occurredAt: at(T0, 1), itemId: 'A', category: 'shoes', brand: 'Nike', price: '50' }),
      event({ ...u, type: CART, occurredAt: at(T0, 2), itemId: 'A' }),
      // Two lines of order O1 and one purchase without an order id: 2 orders.
      event({ ...u, type: PURCHASE, occurredAt: at(T0, 3), itemId: 'A', revenue: '50.00', orderId: 'O1' }),
      event({ ...u, type: PURCHASE, occurredAt: at(T0, 3), itemId: 'B', revenue: '19.99', orderId: 'O1' }),
      event({ ...u, type: PURCHASE, occurredAt: at(T0, 4), revenue: '0.0100' }),
      event({ ...u, type: CUSTOM, occurredAt: at(T0, 5), name: 'newsletter' }),
    ]);
    // A later batch repeats order O1 (a third line): still 2 orders, revenue grows.
    await h.track(site, [event({ ...u, type: PURCHASE, occurredAt: at(T0, 6), itemId: 'C', revenue: '0.0001', orderId: 'O1' })]);
    const p = await h.get(site, 'u1');
    expect(p).toMatchObject({
      totalEvents: 8,
      totalPageviews: 2, // PAGE_VIEW + PRODUCT_VIEW
      totalPurchases: 2,
      totalRevenue: '70.0001', // 50 + 19.99 + 0.01 + 0.0001
      funnelPosition: FunnelPosition.FUNNEL_POSITION_RETENTION,
      sessionCount: 1,
      avgSessionDurationSeconds: 360, // 10:00 .. 10:06
      bounceRate: 0,
      firstVisit: at(T0, 0),
      lastVisit: at(T0, 6),
    });
  });

  it('bounce rate and mean session duration come from per-session facts, whatever the arrival order', async () => {
    const [s1, s2, s3] = [randomUUID(), randomUUID(), randomUUID()];
    const u = 'u2';
    // s1: one page view only -> bounce, 0 s. s2: two page views 10 min apart -> 600 s.
    // s3: one product view plus a custom event -> not a bounce, 120 s.
    const late = event({ userId: u, sessionId: s2, type: PAGE, occurredAt: at(T0, 10) });
    await h.track(site, [late, event({ userId: u, sessionId: s3, type: PRODUCT, occurredAt: at(T0, 60), itemId: 'X' })]);
    await h.track(site, [
      event({ userId: u, sessionId: s1, type: PAGE, occurredAt: at(T0, -30) }),
      event({ userId: u, sessionId: s2, type: PAGE, occurredAt: at(T0, 0) }), // arrives after the later one
      event({ userId: u, sessionId: s3, type: CUSTOM, occurredAt: at(T0, 62) }),
    ]);
    const p = await h.get(site, u);
    expect(p.sessionCount).toBe(3);
    expect(p.avgSessionDurationSeconds).toBe(240); // (0 + 600 + 120) / 3
    expect(p.bounceRate).toBe(0.3333); // 1 of 3
    expect(p.firstVisit).toEqual(at(T0, -30));
    expect(p.lastVisit).toEqual(at(T0, 62));
  });

  it('time on page and scroll depth are means over the events that report them, rounded', async () => {
    const s = randomUUID();
    await h.track(site, [
      event({ userId: 'u3', sessionId: s, type: PAGE, occurredAt: at(T0, 0), timeOnPageSeconds: 10, scrollDepthPercent: 50 }),
      event({ userId: 'u3', sessionId: s, type: PAGE, occurredAt: at(T0, 1), timeOnPageSeconds: 20 }),
      event({ userId: 'u3', sessionId: s, type: PAGE, occurredAt: at(T0, 2), timeOnPageSeconds: 25, scrollDepthPercent: 75 }),
      event({ userId: 'u3', sessionId: s, type: PAGE, occurredAt: at(T0, 3) }),
    ]);
    const p = await h.get(site, 'u3');
    expect(p.avgTimeOnPageSeconds).toBe(18); // 55 / 3 = 18.33
    expect(p.avgScrollDepthPercent).toBe(63); // 125 / 2 = 62.5, half away from zero
    // A user who never reported them has them unset.
    await h.track(site, [event({ userId: 'u3b', sessionId: s, type: PAGE, occurredAt: at(T0, 0) })]);
    const q = await h.get(site, 'u3b');
    expect(q.avgTimeOnPageSeconds).toBeUndefined();
    expect(q.avgScrollDepthPercent).toBeUndefined();
  });

  it('favourites rank by interaction weight (view 1, cart 3, purchase 5), ties to the most recent, capped', async () => {
    const s = randomUUID();
    const u = { userId: 'u4', sessionId: s };
    await h.track(site, [
      // shoes: 1 view -> 1.  bags: 1 cart at :01 -> 3.  hats: 3 views, last at :05 -> 3 (more recent than bags).
      event({ ...u, type: PRODUCT, occurredAt: at(T0, 0), itemId: 'shoe-1', category: 'shoes', brand: 'Nike' }),
      event({ ...u, type: CART, occurredAt: at(T0, 1), itemId: 'bag-1', category: 'bags', brand: 'Gucci' }),
      event({ ...u, type: PRODUCT, occurredAt: at(T0, 3), itemId: 'hat-1', category: 'hats', brand: 'Nike' }),
      event({ ...u, type: PRODUCT, occurredAt: at(T0, 4), itemId: 'hat-2', category: 'hats', brand: 'Nike' }),
      event({ ...u, type: PRODUCT, occurredAt: at(T0, 5), itemId: 'hat-1', category: 'hats' }),
      // A purchase weighs 5: coat-1 tops the products. Page views carry no item, custom events weigh nothing.
      event({ ...u, type: PURCHASE, occurredAt: at(T0, 2), itemId: 'coat-1', category: 'coats', revenue: '1' }),
      event({ ...u, type: CUSTOM, occurredAt: at(T0, 6), itemId: 'shoe-1', category: 'shoes' }),
    ]);
    const p = await h.get(site, 'u4');
    // coats 5; hats 3 (:05) before bags 3 (:01); shoes 1.
    expect(p.favoriteCategories).toEqual(['coats', 'hats', 'bags', 'shoes']);
    // coat-1 5; bag-1 3; hat-1 2; shoe-1 1 (:00) vs hat-2 1 (:04) -> hat-2 first.
    expect(p.favoriteProducts).toEqual(['coat-1', 'bag-1', 'hat-1', 'hat-2', 'shoe-1']);
    // Nike 1+1+1 = 3 (:04) ties Gucci 3 (:01): Nike first.
    expect(p.preferredBrands).toEqual(['Nike', 'Gucci']);

    const many = Array.from({ length: 12 }, (_, i) =>
      event({ ...u, userId: 'u4b', type: PRODUCT, occurredAt: at(T0, i), itemId: `i${i}`, category: `c${i}` }),
    );
    await h.track(site, many);
    const q = await h.get(site, 'u4b');
    // All weigh 1: most recent first, at most 10 categories (20 products).
    expect(q.favoriteCategories).toEqual(['c11', 'c10', 'c9', 'c8', 'c7', 'c6', 'c5', 'c4', 'c3', 'c2']);
    expect(q.favoriteProducts).toHaveLength(12);
  });

  it('price sensitivity compares the user median with the website median of its priced events, never the catalog', async () => {
    const s = randomUUID();
    const view = (userId: string, price: string, minute: number) =>
      event({ userId, sessionId: s, type: PRODUCT, occurredAt: at(T0, minute), itemId: `p${price}`, price });
    // No catalog: the reference is the median of every priced event: 10 10 12 100 100 120 -> (12 + 100) / 2 = 56.
    await h.track(site, [
      view('cheap', '10', 0), view('cheap', '10', 1), view('cheap', '12', 2),
      view('rich', '100', 0), view('rich', '100', 1), view('rich', '120', 2),
      view('unsure', '5', 0), view('unsure', '500', 1), // only 2 priced events
    ]);
    // Reference now over 10 10 12 100 100 120 5 500 50 56 60 -> median 56; typical: median 56 -> ratio 1.
    await h.track(site, [view('typical', '50', 0), view('typical', '56', 1), view('typical', '60', 2)]);
    expect((await h.get(site, 'cheap')).priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_HIGH); // 10 / 56 < 0.8
    expect((await h.get(site, 'rich')).priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_LOW); // 100 / 56 > 1.25
    expect((await h.get(site, 'unsure')).priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_UNSPECIFIED);
    expect((await h.get(site, 'typical')).priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_MEDIUM);

    // The catalog (ranking-service's table) is not the reference: priced catalog items change nothing.
    await h.sql(
      `INSERT INTO catalog_items (website_id, item_id, price) VALUES ($1, 'a', 200), ($1, 'b', 300), ($1, 'c', 400), ($1, 'd', NULL)`,
      [site],
    );
    await h.track(site, [view('rich', '100', 3)]);
    // Reference over 10 10 12 100 100 100 120 5 500 50 56 60 -> median (56 + 60) / 2 = 58; 100 / 58 > 1.25.
    expect((await h.get(site, 'rich')).priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_LOW);
  });

  it('favourites stay exact across batches: an entry outside the top-k that gains weight can enter it', async () => {
    const s = randomUUID();
    const view = (minute: number, category: string) =>
      event({ userId: 'u9', sessionId: s, type: PRODUCT, occurredAt: at(T0, minute), itemId: `i-${category}`, category });
    // c0..c11 weigh 1 each; the top 10 by recency is c11..c2.
    await h.track(site, Array.from({ length: 12 }, (_, i) => view(i, `c${i}`)));
    expect((await h.get(site, 'u9')).favoriteCategories).toEqual(['c11', 'c10', 'c9', 'c8', 'c7', 'c6', 'c5', 'c4', 'c3', 'c2']);
    // c0 gets a second view (weight 2, an old interaction time): it leads; c1, untouched, stays out.
    await h.track(site, [view(-5, 'c0')]);
    expect((await h.get(site, 'u9')).favoriteCategories).toEqual(['c0', 'c11', 'c10', 'c9', 'c8', 'c7', 'c6', 'c5', 'c4', 'c3']);
    // A page view brings no weighted event: favourites unchanged.
    await h.track(site, [event({ userId: 'u9', sessionId: s, type: PAGE, occurredAt: at(T0, 20) })]);
    expect((await h.get(site, 'u9')).favoriteCategories[0]).toBe('c0');
  });

  it('the user median of an even number of prices is the mean of the two middle ones', async () => {
    const s = randomUUID();
    const view = (price: string, minute: number) => event({ userId: 'u10', sessionId: s, type: PRODUCT, occurredAt: at(T0, minute), itemId: 'x', price });
    // Another visitor's priced views set the website's reference (the median of every priced event, with multiplicity).
    const others = (price: string, n: number, from: number) =>
      Array.from({ length: n }, (_, i) => event({ userId: 'ref-u10', sessionId: s, type: PRODUCT, occurredAt: at(T0, from + i), itemId: 'y', price }));
    // Prices 10 20 30 40 (20 and 30 in the middle): median 25. With nine views at 31.25 the website's 13 prices
    // 10 20 30 31.25x9 40 have median 31.25: 25 / 31.25 = 0.8 is not below 0.8: MEDIUM (20 would be HIGH).
    await h.track(site, [view('10', 0), view('40', 1), view('20', 2), view('30', 3), ...others('31.25', 9, 10)]);
    expect((await h.get(site, 'u10')).priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_MEDIUM);
    // Thirteen views at 20: 26 prices, the 13th and 14th are 20, reference 20: 25 / 20 = 1.25 is not above 1.25: MEDIUM (30 would be LOW).
    await h.track(site, others('20', 13, 30));
    expect((await h.get(site, 'u10')).priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_MEDIUM);
    // Twenty-six views at 19.99: 52 prices, the 26th and 27th are 19.99, reference 19.99: 25 / 19.99 > 1.25: LOW.
    await h.track(site, others('19.99', 26, 50));
    expect((await h.get(site, 'u10')).priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_LOW);
  });

  it('device preference is the device of most sessions, ties to the most recent session', async () => {
    const [s1, s2, s3] = [randomUUID(), randomUUID(), randomUUID()];
    const page = (userId: string, sessionId: string, minute: number, device: Device) =>
      event({ userId, sessionId, type: PAGE, occurredAt: at(T0, minute), device });
    await h.track(site, [
      page('u6', s1, 0, Device.DEVICE_MOBILE),
      page('u6', s2, 60, Device.DEVICE_DESKTOP),
      page('u6', s3, 120, Device.DEVICE_MOBILE),
      page('u6', s3, 121, Device.DEVICE_UNSPECIFIED), // unknown device does not change the session's
    ]);
    expect((await h.get(site, 'u6')).devicePreference).toBe(Device.DEVICE_MOBILE);
    await h.track(site, [page('u7', s1, 0, Device.DEVICE_MOBILE), page('u7', s2, 60, Device.DEVICE_TABLET)]);
    expect((await h.get(site, 'u7')).devicePreference).toBe(Device.DEVICE_TABLET);
    await h.track(site, [page('u8', s1, 0, Device.DEVICE_UNSPECIFIED)]);
    expect((await h.get(site, 'u8')).devicePreference).toBe(Device.DEVICE_UNSPECIFIED);
  });

  it('funnel position is the deepest step ever reached', async () => {
    const s = randomUUID();
    const steps: [string, ReturnType<typeof event>[], FunnelPosition][] = [
      ['f1', [event({ userId: 'f1', sessionId: s, type: PAGE, occurredAt: T0 }), event({ userId: 'f1', sessionId: s, type: CUSTOM, occurredAt: T0 })], FunnelPosition.FUNNEL_POSITION_AWARENESS],
      ['f2', [event({ userId: 'f2', sessionId: s, type: PRODUCT, occurredAt: T0, itemId: 'a' })], FunnelPosition.FUNNEL_POSITION_CONSIDERATION],
      ['f3', [event({ userId: 'f3', sessionId: s, type: CART, occurredAt: T0, itemId: 'a' })], FunnelPosition.FUNNEL_POSITION_DECISION],
      ['f4', [event({ userId: 'f4', sessionId: s, type: PURCHASE, occurredAt: T0, revenue: '1' })], FunnelPosition.FUNNEL_POSITION_RETENTION],
    ];
    for (const [user, events, expected] of steps) {
      await h.track(site, events);
      expect((await h.get(site, user)).funnelPosition).toBe(expected);
    }
    // A later page view does not move a customer back.
    await h.track(site, [event({ userId: 'f4', sessionId: s, type: PAGE, occurredAt: at(T0, 5) })]);
    expect((await h.get(site, 'f4')).funnelPosition).toBe(FunnelPosition.FUNNEL_POSITION_RETENTION);
  });
});
