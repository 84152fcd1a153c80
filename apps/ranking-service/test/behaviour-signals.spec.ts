import { randomUUID } from 'node:crypto';
import { Event, EventType, type ProfileServiceClient } from '@recsys/contracts/profile';
import { Device, PageType } from '@recsys/contracts/ranking';
import { unary } from '@recsys/service-kit/testing';
import { eventually, type Harness } from './support/harness';
import { startRankingWithProfile, type ProfileProcess, type RankingWithProfile } from './support/profile-process';

/**
 * Behaviour that arrives through TrackEvents reaches Recommend: profile-service
 * (its own process, on the same database) keeps the interaction log and answers
 * GetItemSignals; ranking-service combines the signals into its snapshot on
 * its catalog refresh, and keeps serving the last copy when profile-service is
 * gone, saying so.
 */
describe('item signals from behaviour', () => {
  let stack: RankingWithProfile;
  let h: Harness;
  let profile: ProfileProcess;
  let client: ProfileServiceClient;
  beforeAll(async () => {
    stack = await startRankingWithProfile({ ITEM_SIGNALS_TTL_MS: '100' });
    ({ h, profile } = stack);
    client = profile.client;
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const views = (items: string[]) =>
    items.map((itemId, i) =>
      Event.fromPartial({ eventId: randomUUID(), userId: `v-${i}`, sessionId: randomUUID(), occurredAt: new Date(Date.now() - 60_000), type: EventType.EVENT_TYPE_PRODUCT_VIEW, itemId }),
    );

  it('signals arriving in several parts (450 items) all reach the snapshot: the last part\'s items rank by their behaviour', async () => {
    const site = await h.newWebsite();
    const id = (n: number) => `item-${String(n).padStart(3, '0')}`;
    const viewed = Array.from({ length: 450 }, (_, n) => id(n));
    // Named to sort before the viewed ones: ties go by id, so only the behaviour can put item-449 first.
    const never = Array.from({ length: 10 }, (_, n) => `a-new-${n}`);
    await h.upsert(site, [...never, ...viewed].map((itemId) => ({ itemId })));
    // Each viewed once: ordered by id in the signals, so item-449 comes in the third part (items 400–449).
    await unary(client.trackEvents.bind(client), { websiteId: site, events: views(viewed) });
    await eventually(async () => {
      const res = await h.recommend({ websiteId: site, count: 11, dryRun: true, candidates: [...never, id(449)].map((itemId) => ({ itemId })) as never });
      expect(res.items[0]!.itemId).toBe(id(449));
    });
  }, 30_000);

  it('bought together outweighs a more popular co-visited item on a cart page; a mobile visitor gets what mobile visitors favour', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, ['sku-b', 'sku-c', 'sku-d', 'sku-e'].map((itemId) => ({ itemId })));
    const ev = (userId: string, itemId: string, type: EventType, extra: Partial<Event> = {}) =>
      Event.fromPartial({ eventId: randomUUID(), userId, sessionId: randomUUID(), occurredAt: new Date(Date.now() - 60_000), type, itemId, ...extra });
    const session = randomUUID();
    await unary(client.trackEvents.bind(client), {
      websiteId: site,
      events: [
        // sku-c and sku-d bought in one order; sku-c and sku-e viewed by one visitor: both pairs co-visited once.
        ev('buyer', 'sku-c', EventType.EVENT_TYPE_PURCHASE, { sessionId: session, revenue: '5', orderId: 'o-1' }),
        ev('buyer', 'sku-d', EventType.EVENT_TYPE_PURCHASE, { sessionId: session, revenue: '5', orderId: 'o-1' }),
        ev('x', 'sku-c', EventType.EVENT_TYPE_PRODUCT_VIEW),
        ev('x', 'sku-e', EventType.EVENT_TYPE_PRODUCT_VIEW),
        // sku-e more popular than sku-d (7 views against one purchase, 5), by visitors who saw nothing else.
        ...Array.from({ length: 6 }, (_, i) => ev(`e-${i}`, 'sku-e', EventType.EVENT_TYPE_PRODUCT_VIEW)),
        // sku-b: only mobile visitors, four views.
        ...Array.from({ length: 4 }, (_, i) => ev(`m-${i}`, 'sku-b', EventType.EVENT_TYPE_PRODUCT_VIEW, { device: Device.DEVICE_MOBILE })),
      ],
    });
    await eventually(async () => {
      // Co-visitation alone ties sku-d and sku-e (1 each) and popularity would pick sku-e; bought together adds 1 to sku-d.
      const cart = await h.recommend({ websiteId: site, count: 3, dryRun: true, context: { cartItemIds: ['sku-c'] } as never });
      expect(cart.items[0]!.itemId).toBe('sku-d');
      // Anonymous on desktop: sku-e (7) first; on mobile the mobile segment's favourite sku-b comes first.
      const desktop = await h.recommend({ websiteId: site, count: 4, dryRun: true, context: { device: Device.DEVICE_DESKTOP } as never });
      expect(desktop.items[0]!.itemId).toBe('sku-e');
      const mobile = await h.recommend({ websiteId: site, count: 4, dryRun: true, context: { device: Device.DEVICE_MOBILE } as never });
      expect(mobile.items[0]).toMatchObject({ itemId: 'sku-b', source: 'popular' });
    });
  }, 30_000);

  it('an anonymous visitor gets the most viewed item first, a product page its co-visited items, and the last copy serves while profile-service is down', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5'].map((itemId) => ({ itemId })));
    // Nothing tracked yet: the catalog's order.
    expect((await h.recommend({ websiteId: site, count: 5, dryRun: true })).items[0]!.itemId).toBe('sku-1');

    await unary(client.trackEvents.bind(client), { websiteId: site, events: views(['sku-4', 'sku-4', 'sku-4', 'sku-2', 'sku-2']) });
    // One session that viewed sku-3 and sku-5 together.
    const session = randomUUID();
    await unary(client.trackEvents.bind(client), {
      websiteId: site,
      events: ['sku-3', 'sku-5'].map((itemId) =>
        Event.fromPartial({ eventId: randomUUID(), userId: 'together', sessionId: session, occurredAt: new Date(Date.now() - 60_000), type: EventType.EVENT_TYPE_PRODUCT_VIEW, itemId }),
      ),
    });
    await eventually(async () => {
      const anonymous = await h.recommend({ websiteId: site, count: 5, dryRun: true });
      expect(anonymous.items.map((i) => i.itemId).slice(0, 2)).toEqual(['sku-4', 'sku-2']);
    });
    const onPage = await h.recommend({ websiteId: site, count: 5, dryRun: true, context: { itemId: 'sku-3', pageType: PageType.PAGE_TYPE_PRODUCT } as never });
    expect(onPage.items[0]).toMatchObject({ itemId: 'sku-5', source: 'co_visitation' });

    await profile.stop();
    await eventually(async () => {
      const res = await h.recommend({ websiteId: site, count: 5, dryRun: true, explain: true });
      expect(res.items[0]!.itemId).toBe('sku-4');
      expect(res.items[0]!.reasons).toContain('item signals from profile-service could not be refreshed: ranked with the last copy');
    });
  }, 30_000);
});
