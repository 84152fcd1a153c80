import { Metadata, status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { EventType, FunnelPosition, LifecycleStage } from '@recsys/contracts/profile';
import { unary } from '@recsys/service-kit/testing';
import { at, event, startHarness, type Harness } from './support/harness';

const T0 = new Date('2026-11-24T10:00:00Z');
const page = (userId: string, minute: number) =>
  event({ userId, sessionId: randomUUID(), type: EventType.EVENT_TYPE_PAGE_VIEW, occurredAt: at(T0, minute) });

describe('GetProfile, ListProfiles, DeleteProfile', () => {
  let h: Harness;
  let site: string;
  beforeAll(async () => {
    h = await startHarness();
  });
  beforeEach(async () => {
    site = await h.newWebsite();
  });
  afterAll(() => h?.close());

  it('GetProfile: NOT_FOUND for an unknown profile or website, INVALID_ARGUMENT for malformed ids', async () => {
    await h.track(site, [page('known', 0)]);
    expect((await h.get(site, 'known')).userId).toBe('known');
    await expect(h.get(site, 'nobody')).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(h.get(randomUUID(), 'known')).rejects.toMatchObject({ code: Status.NOT_FOUND, details: expect.stringContaining('website') });
    await expect(h.get(site, '')).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: 'user_id: must be set (1..255 characters)' });
    await expect(h.get(site.toUpperCase(), 'known')).resolves.toMatchObject({ websiteId: site });
  });

  it('ListProfiles pages by last visit, newest first, ties by user id, with opaque tokens', async () => {
    // e and d share a last visit: d before e.
    await h.track(site, [page('a', 1), page('b', 2), page('c', 3), page('d', 4), page('e', 4)]);
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const res = await h.list({ websiteId: site, pageSize: 2, pageToken: token });
      seen.push(...res.profiles.map((p) => p.userId));
      token = res.nextPageToken;
      pages++;
    } while (token);
    expect(seen).toEqual(['d', 'e', 'c', 'b', 'a']);
    expect(pages).toBe(3);
    expect((await h.list({ websiteId: site })).profiles).toHaveLength(5);
  });

  it('ListProfiles filters by funnel position and rejects bad arguments', async () => {
    await h.track(site, [page('browser', 0), event({ userId: 'buyer', sessionId: randomUUID(), type: EventType.EVENT_TYPE_PURCHASE, occurredAt: T0, revenue: '5' })]);
    const buyers = await h.list({ websiteId: site, funnelPositions: [FunnelPosition.FUNNEL_POSITION_RETENTION] });
    expect(buyers.profiles.map((p) => p.userId)).toEqual(['buyer']);
    const first = await h.list({ websiteId: site, pageSize: 1 });
    await expect(h.list({ websiteId: site, pageSize: 1, pageToken: first.nextPageToken, funnelPositions: [FunnelPosition.FUNNEL_POSITION_AWARENESS] })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: 'page_token: was issued for another website or other filters',
    });
    await expect(h.list({ websiteId: site, pageToken: 'garbage' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: 'page_token: is not a page token this service issued' });
    await expect(h.list({ websiteId: site, pageSize: 1001 })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect(h.list({ websiteId: site, lifecycleStages: [LifecycleStage.LIFECYCLE_STAGE_UNSPECIFIED] })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^lifecycle_stages\[0\]/),
    });
    await expect(h.list({ websiteId: randomUUID() })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it('one website never sees, lists or erases another website\'s profiles', async () => {
    const other = await h.newWebsite();
    await h.track(site, [page('shared-id', 0)]);
    await h.track(other, [page('only-other', 0)]);
    await expect(h.get(other, 'shared-id')).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect((await h.list({ websiteId: other })).profiles.map((p) => p.userId)).toEqual(['only-other']);
    const tokenOfSite = (await h.list({ websiteId: site, pageSize: 1 })).nextPageToken;
    await h.track(site, [page('second', 1)]);
    const withToken = await h.list({ websiteId: site, pageSize: 1 });
    await expect(h.list({ websiteId: other, pageSize: 1, pageToken: withToken.nextPageToken })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect(tokenOfSite).toBe('');
    const erased = await unary(h.client.deleteProfile.bind(h.client), { websiteId: other, userId: 'shared-id', deleteRecommendations: false });
    expect(erased.profileDeleted).toBe(false);
    expect((await h.get(site, 'shared-id')).totalEvents).toBe(1);
  });

  it('DeleteProfile erases the profile and its bookkeeping, never the recommendations log (ranking-service\'s); idempotent', async () => {
    const s = randomUUID();
    const events = [
      event({ userId: 'gone', sessionId: s, type: EventType.EVENT_TYPE_PRODUCT_VIEW, occurredAt: T0, itemId: 'i', category: 'c', price: '3' }),
      event({ userId: 'gone', sessionId: s, type: EventType.EVENT_TYPE_PURCHASE, occurredAt: at(T0, 1), revenue: '3', orderId: 'o' }),
    ];
    await h.track(site, events);
    await h.track(site, [page('stays', 0)]);
    await h.sql(
      `INSERT INTO recommendations (session_id, user_id, website_id, item_id) VALUES ($1, 'gone', $2, 'i'), ($1, '', $2, 'i'), ($1, 'stays', $2, 'i')`,
      [s, site],
    );
    await expect(unary(h.client.deleteProfile.bind(h.client), { websiteId: site, userId: 'gone', deleteRecommendations: true })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^delete_recommendations: .*RankingService.DeleteUserRecommendations/),
    });
    expect((await h.get(site, 'gone')).totalEvents).toBe(2); // the refused call erased nothing
    const res = await unary(h.client.deleteProfile.bind(h.client), { websiteId: site, userId: 'gone', deleteRecommendations: false });
    // 2 event ids + 1 session + 2 affinities (category, product) + 1 price + 1 order + 1 interaction (the product view).
    expect(res).toEqual({ profileDeleted: true, eventsDeleted: 8, recommendationsDeleted: 0 });
    await expect(h.get(site, 'gone')).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect(await h.sql('SELECT user_id FROM recommendations WHERE website_id = $1 ORDER BY user_id', [site])).toEqual([{ user_id: '' }, { user_id: 'gone' }, { user_id: 'stays' }]);
    expect((await h.get(site, 'stays')).totalEvents).toBe(1);
    const again = await unary(h.client.deleteProfile.bind(h.client), { websiteId: site, userId: 'gone', deleteRecommendations: false });
    expect(again).toEqual({ profileDeleted: false, eventsDeleted: 0, recommendationsDeleted: 0 });
    await expect(unary(h.client.deleteProfile.bind(h.client), { websiteId: randomUUID(), userId: 'x', deleteRecommendations: false })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
    });
  });
});

describe('access', () => {
  it('DeleteProfile needs an admin credential; reads and TrackEvents take a service credential', async () => {
    const admin = 'admin-token-0123456789';
    const svc = 'service-token-0123456789';
    const h = await startHarness({ AUTH_ADMIN_TOKENS: admin, AUTH_SERVICE_TOKENS: svc });
    try {
      const site = await h.newWebsite();
      const md = (token: string) => {
        const m = new Metadata();
        m.set('authorization', `Bearer ${token}`);
        return m;
      };
      await expect(h.track(site, [page('u', 0)], md(svc))).resolves.toMatchObject({ acceptedCount: 1 });
      const del = (token: string) =>
        new Promise((resolve, reject) =>
          h.client.deleteProfile({ websiteId: site, userId: 'u', deleteRecommendations: false }, md(token), (err, r) => (err ? reject(err) : resolve(r))),
        );
      await expect(del(svc)).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
      await expect(del(admin)).resolves.toMatchObject({ profileDeleted: true });
      await expect(h.track(site, [page('u', 0)])).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    } finally {
      await h.close();
    }
  });
});
