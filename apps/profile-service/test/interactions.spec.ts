import { status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Device, EventType } from '@recsys/contracts/profile';
import { unary } from '@recsys/service-kit/testing';
import { at, DAY, event, startHarness, type Harness } from './support/harness';

const T0 = new Date('2026-11-20T10:00:00Z');
const { EVENT_TYPE_PAGE_VIEW: PAGE, EVENT_TYPE_PRODUCT_VIEW: PRODUCT, EVENT_TYPE_ADD_TO_CART: CART, EVENT_TYPE_PURCHASE: PURCHASE, EVENT_TYPE_CUSTOM: CUSTOM } =
  EventType;

/** The interaction log (migration 023): every accepted event about an item, kept by month within retention. */
describe('interaction log', () => {
  let h: Harness;
  beforeAll(async () => {
    // The clock starts 2026-11-25 12:00 UTC; keep 60 days of interactions.
    h = await startHarness({ INTERACTION_RETENTION_DAYS: '60' });
  });
  afterAll(() => h?.close());

  const rows = (site: string) =>
    h.sql<{ event_id: string; kind: string; item_id: string; user_id: string; device: string | null; category: string | null; price: string | null; revenue: string | null; order_id: string | null; brand: string | null; occurred_at: Date }>(
      `SELECT event_id, kind, item_id, user_id, device, category, price::text, revenue::text, order_id, brand, occurred_at FROM interactions WHERE website_id = $1 ORDER BY occurred_at, event_id`,
      [site],
    );
  const partitions = async () =>
    (await h.sql<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'interactions'::regclass ORDER BY 1`)).map(
      (r) => r.name,
    );

  it('keeps one row per accepted event about an item, of each kind; page views (which name no item) and custom events are not interactions', async () => {
    const site = await h.newWebsite();
    const s = randomUUID();
    const e = [
      event({ eventId: 'e1', userId: 'u', sessionId: s, type: PAGE, occurredAt: at(T0, 0) }),
      event({ eventId: 'e3', userId: 'u', sessionId: s, type: PRODUCT, occurredAt: at(T0, 2), itemId: 'sku-1', category: 'shoes', brand: 'Acme', price: '20', device: Device.DEVICE_MOBILE }),
      event({ eventId: 'e4', userId: 'u', sessionId: s, type: PRODUCT, occurredAt: at(T0, 3), itemId: 'sku-2', pageView: false }),
      event({ eventId: 'e5', userId: 'u', sessionId: s, type: CART, occurredAt: at(T0, 4), itemId: 'sku-1', price: '20' }),
      event({ eventId: 'e6', userId: 'u', sessionId: s, type: PURCHASE, occurredAt: at(T0, 5), itemId: 'sku-1', price: '20', revenue: '40', orderId: 'o1' }),
      event({ eventId: 'e7', userId: 'u', sessionId: s, type: PURCHASE, occurredAt: at(T0, 5), itemId: 'sku-2', price: '5', revenue: '5', orderId: 'o1' }),
      event({ eventId: 'e8', userId: 'u', sessionId: s, type: CUSTOM, occurredAt: at(T0, 6), itemId: 'sku-3' }),
    ];
    expect(await h.track(site, e)).toMatchObject({ acceptedCount: 7 });
    expect((await rows(site)).map((r) => [r.event_id, r.kind, r.item_id, r.device, r.category, r.brand, r.price, r.revenue, r.order_id])).toEqual([
      ['e3', 'product_view', 'sku-1', 'mobile', 'shoes', 'Acme', '20.0000', null, null],
      ['e4', 'item_view', 'sku-2', null, null, null, null, null, null],
      ['e5', 'add_to_cart', 'sku-1', null, null, null, '20.0000', null, null],
      ['e6', 'purchase', 'sku-1', null, null, null, '20.0000', '40.0000', 'o1'],
      ['e7', 'purchase', 'sku-2', null, null, null, '5.0000', '5.0000', 'o1'],
    ]);
    expect((await rows(site))[0]!.occurred_at).toEqual(at(T0, 2));
  });

  it('stays exact under replays, duplicates inside a batch and refused batches', async () => {
    const site = await h.newWebsite();
    const s = randomUUID();
    const view = (id: string, minute: number) => event({ eventId: id, userId: 'r', sessionId: s, type: PRODUCT, occurredAt: at(T0, minute), itemId: `i-${id}` });
    await h.track(site, [view('a', 0), view('b', 1), view('a', 2)]);
    expect(await h.track(site, [view('a', 0), view('b', 1), view('c', 3)])).toMatchObject({ acceptedCount: 1, duplicateCount: 2 });
    // A batch with a malformed event is refused whole: none of its rows are kept.
    await expect(h.track(site, [view('d', 4), { ...view('e', 5), sessionId: 'not-a-uuid' }])).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect((await rows(site)).map((r) => r.event_id)).toEqual(['a', 'b', 'c']);
  });

  it('a replay after its event id was forgotten (EVENT_ID_RETENTION_DAYS) is counted again, as the contract says, but its interaction is not logged twice', async () => {
    const own = await startHarness({ INTERACTION_RETENTION_DAYS: '400' });
    try {
      const site = await own.newWebsite();
      const view = event({ eventId: 'late', userId: 'r', sessionId: randomUUID(), type: PRODUCT, occurredAt: own.clock.now(), itemId: 'sku-1' });
      await own.track(site, [view]);
      own.clock.advance(36 * DAY);
      expect(await own.service.lifecycleJob.runOnce()).toMatchObject({ eventIdsPurged: 1 });
      expect(await own.track(site, [view])).toMatchObject({ acceptedCount: 1, duplicateCount: 0 });
      const logged = await own.sql<{ n: string }>('SELECT count(*) AS n FROM interactions WHERE website_id = $1', [site]);
      expect(Number(logged[0]!.n)).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('has partitions for this month and the next two from the start, makes older months when a batch needs them, and skips events past retention', async () => {
    expect(await partitions()).toEqual(expect.arrayContaining(['interactions_p202611', 'interactions_p202612', 'interactions_p202701']));
    const site = await h.newWebsite();
    const s = randomUUID();
    const now = h.clock.now();
    const view = (id: string, t: Date) => event({ eventId: id, userId: 'old', sessionId: s, type: PRODUCT, occurredAt: t, itemId: 'sku-9' });
    // 50 days ago (2026-10-06): kept, in a partition made for it; 70 days ago: past the 60 days, not logged, still counted in the profile.
    expect(await h.track(site, [view('recent', new Date(now.getTime() - 50 * DAY)), view('too-old', new Date(now.getTime() - 70 * DAY))])).toMatchObject({
      acceptedCount: 2,
    });
    expect((await rows(site)).map((r) => r.event_id)).toEqual(['recent']);
    expect(await partitions()).toContain('interactions_p202610');
    expect(await partitions()).not.toContain('interactions_p202609');
    expect((await unary(h.client.getProfile.bind(h.client), { websiteId: site, userId: 'old' })).profile?.totalEvents).toBe(2);
  });

  it('drops whole months once they end before the retention cutoff (the hourly job), and makes the months ahead', async () => {
    const site = await h.newWebsite();
    const s = randomUUID();
    await h.track(site, [event({ eventId: 'oct', userId: 'm', sessionId: s, type: PRODUCT, occurredAt: new Date('2026-10-20T00:00:00Z'), itemId: 'x' })]);
    expect(await partitions()).toContain('interactions_p202610');
    // 2027-01-02: the cutoff is 2026-11-03, after October's end; November's partition stays, March 2027 is made ahead.
    h.clock.current = new Date('2027-01-02T00:00:00Z');
    const run = (await h.service.lifecycleJob.runOnce()) as { interactionPartitions: { created: string[]; dropped: string[] } };
    expect(run.interactionPartitions).toEqual({ created: ['interactions_p202702', 'interactions_p202703'], dropped: ['interactions_p202610'] });
    expect(await partitions()).toEqual(['interactions_p202611', 'interactions_p202612', 'interactions_p202701', 'interactions_p202702', 'interactions_p202703']);
    expect(await rows(site)).toEqual([]);
  });

  it('deleting a website deletes its interactions (the trigger of migration 017, extended by 023)', async () => {
    const site = await h.newWebsite();
    h.clock.current = new Date('2026-11-25T12:00:00Z');
    await h.track(site, [event({ eventId: 'w', userId: 'w', sessionId: randomUUID(), type: PRODUCT, occurredAt: at(T0, 0), itemId: 'x' })]);
    expect(await rows(site)).toHaveLength(1);
    await h.sql('DELETE FROM website WHERE website_id = $1', [site]);
    expect(await rows(site)).toEqual([]);
  });
});
