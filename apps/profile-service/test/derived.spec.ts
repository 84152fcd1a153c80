import { randomUUID } from 'node:crypto';
import { ProfileStore } from '../src/store/profile-store';
import { Device, EventType, PriceSensitivity } from '@recsys/contracts/profile';
import { at, event, startHarness, type Harness } from './support/harness';

const { EVENT_TYPE_PAGE_VIEW: PAGE, EVENT_TYPE_PRODUCT_VIEW: PRODUCT, EVENT_TYPE_ADD_TO_CART: CART } = EventType;

/**
 * TrackEvents leaves the fields derived from the bookkeeping stale (migration
 * 011); reads compute them for stale profiles, the settle job writes them back.
 */
describe('derived profile fields: stale after a batch, exact on read, settled by the job', () => {
  let h: Harness;
  let site: string;
  const T0 = new Date('2026-11-20T10:00:00Z');
  beforeAll(async () => {
    h = await startHarness(); // DERIVED_SETTLE_INTERVAL_MS=0: the job runs only when a test calls it
  });
  beforeEach(async () => {
    await h.service.derivedJob.runOnce(); // what earlier tests left stale
    site = await h.newWebsite();
  });
  afterAll(() => h?.close());

  const stored = async (userId: string) =>
    (
      await h.sql<Record<string, unknown>>(
        `SELECT session_count, bounce_rate, device_preference, favorite_categories, favorite_products, preferred_brands,
                price_sensitivity, derived_version::int AS version, derived_settled::int AS settled
         FROM user_profiles WHERE website_id = $1 AND user_id = $2`,
        [site, userId],
      )
    )[0];

  async function trackShopper(userId: string, minute: number) {
    const s = randomUUID();
    const u = { userId, sessionId: s, device: Device.DEVICE_MOBILE };
    await h.track(site, [
      event({ ...u, type: PAGE, occurredAt: at(T0, minute) }),
      event({ ...u, type: PRODUCT, occurredAt: at(T0, minute + 1), itemId: 'A', category: 'shoes', brand: 'Nike', price: '10' }),
      event({ ...u, type: CART, occurredAt: at(T0, minute + 2), itemId: 'B', category: 'hats', brand: 'Puma', price: '20' }),
      event({ ...u, type: PRODUCT, occurredAt: at(T0, minute + 3), itemId: 'A', category: 'shoes', price: '30' }),
    ]);
  }

  it('a read right after TrackEvents returns exact derived fields while the stored row is still stale', async () => {
    await trackShopper('u1', 0);
    expect(await stored('u1')).toMatchObject({ version: 1, settled: 0, session_count: 0, favorite_categories: [] });

    const expected = {
      sessionCount: 1,
      bounceRate: 0,
      devicePreference: Device.DEVICE_MOBILE,
      favoriteCategories: ['hats', 'shoes'], // 3 (cart) > 2 (two views)
      favoriteProducts: ['B', 'A'],
      preferredBrands: ['Puma', 'Nike'],
      priceSensitivity: PriceSensitivity.PRICE_SENSITIVITY_MEDIUM, // user median 20 = website median 20
    };
    expect(await h.get(site, 'u1')).toMatchObject(expected);
    const page = await h.list({ websiteId: site });
    expect(page.profiles).toHaveLength(1);
    expect(page.profiles[0]).toMatchObject(expected);
  });

  it('the settle job writes the same values back and marks the version settled; the next batch makes it stale again', async () => {
    await trackShopper('u2', 0);
    await trackShopper('u3', 0);
    const before = await h.get(site, 'u2');

    expect(await h.service.derivedJob.runOnce()).toMatchObject({ profilesSettled: 2 });
    expect(await stored('u2')).toMatchObject({
      version: 1,
      settled: 1,
      session_count: 1,
      bounce_rate: '0.0000',
      device_preference: 'mobile',
      favorite_categories: ['hats', 'shoes'],
      favorite_products: ['B', 'A'],
      preferred_brands: ['Puma', 'Nike'],
      price_sensitivity: 'medium',
    });
    expect(await h.get(site, 'u2')).toEqual(before);
    expect(await h.service.derivedJob.runOnce()).toMatchObject({ profilesSettled: 0 });

    // A second session: stale again, and the read reflects it before the job runs.
    await trackShopper('u2', 60);
    expect(await stored('u2')).toMatchObject({ version: 2, settled: 1, session_count: 1 });
    expect(await h.get(site, 'u2')).toMatchObject({ sessionCount: 2, favoriteCategories: ['hats', 'shoes'] }); // hats 3+3, shoes 2+2
  });

  it("a settled profile's price sensitivity follows the website's reference price (it moves with other users' events)", async () => {
    const s = randomUUID();
    const views = (userId: string, price: string, n: number, minute: number) =>
      Array.from({ length: n }, (_, i) => event({ userId, sessionId: s, type: EventType.EVENT_TYPE_PRODUCT_VIEW, occurredAt: at(T0, minute + i), itemId: 'x', price }));
    // No catalog: the reference is the median of the website's priced events. 'p1' alone: 50 / 50, medium.
    await h.track(site, views('p1', '50', 3, 0));
    await h.service.derivedJob.runOnce();
    expect(await stored('p1')).toMatchObject({ settled: 1, price_sensitivity: 'medium' });
    // Five views at 200 from someone else: the website median becomes 200, and 50 / 200 < 0.8 → high,
    // though p1 got no event and stays settled.
    await h.track(site, views('p2', '200', 5, 10));
    expect(await stored('p1')).toMatchObject({ settled: 1 });
    expect((await h.get(site, 'p1')).priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_HIGH);
    expect((await h.list({ websiteId: site })).profiles.find((p) => p.userId === 'p1')?.priceSensitivity).toBe(PriceSensitivity.PRICE_SENSITIVITY_HIGH);
  });

  describe('last_visit (migration 019: batches move last_seen_at; last_visit follows when settled)', () => {
    const visits = async (userId: string) =>
      (
        await h.sql<{ last_visit: Date; last_seen_at: Date; pending: boolean }>(
          `SELECT last_visit, last_seen_at,
                  EXISTS (SELECT 1 FROM profile_pending q WHERE q.website_id = p.website_id AND q.user_id = p.user_id) AS pending
             FROM user_profiles p WHERE website_id = $1 AND user_id = $2`,
          [site, userId],
        )
      )[0];

    it('a batch leaves the stored last_visit behind; GetProfile shows the newest visit; the job catches it up and clears pending', async () => {
      await trackShopper('v1', 0); // the profile is created with last_visit = its newest event
      await h.service.derivedJob.runOnce();
      expect(await visits('v1')).toEqual({ last_visit: at(T0, 3), last_seen_at: at(T0, 3), pending: false });

      await trackShopper('v1', 120);
      expect(await visits('v1')).toEqual({ last_visit: at(T0, 3), last_seen_at: at(T0, 123), pending: true });
      expect((await h.get(site, 'v1')).lastVisit).toEqual(at(T0, 123));

      expect(await h.service.derivedJob.runOnce()).toMatchObject({ profilesSettled: 1 });
      expect(await visits('v1')).toEqual({ last_visit: at(T0, 123), last_seen_at: at(T0, 123), pending: false });
      // A late (older) event moves neither.
      await h.track(site, [event({ userId: 'v1', sessionId: randomUUID(), type: PAGE, occurredAt: at(T0, 50) })]);
      expect(await visits('v1')).toMatchObject({ last_visit: at(T0, 123), last_seen_at: at(T0, 123), pending: true });
    });

    it('ListProfiles orders and pages by the newest visit before the job has run', async () => {
      await trackShopper('early', 0);
      await trackShopper('late', 10);
      await h.service.derivedJob.runOnce();
      // Without the job, only last_seen_at knows that 'early' came back after 'late'.
      await trackShopper('early', 20);
      expect((await visits('early')).last_visit).toEqual(at(T0, 3));
      const first = await h.list({ websiteId: site, pageSize: 1 });
      expect(first.profiles.map((p) => [p.userId, p.lastVisit])).toEqual([['early', at(T0, 23)]]);
      const second = await h.list({ websiteId: site, pageSize: 1, pageToken: first.nextPageToken });
      expect(second.profiles.map((p) => [p.userId, p.lastVisit])).toEqual([['late', at(T0, 13)]]);
    });
  });

  it('settle runs racing batches lose no pending profile: afterwards every profile is settled and matches its reads', async () => {
    const users = Array.from({ length: 30 }, (_, i) => `r${i}`);
    const batches = Array.from({ length: 60 }, (_, b) =>
      users.map((userId, i) =>
        i % 3
          ? event({ userId, sessionId: randomUUID(), type: PAGE, occurredAt: at(T0, b * 10 + (i % 7)) })
          : event({ userId, sessionId: randomUUID(), type: PRODUCT, occurredAt: at(T0, b * 10 + (i % 7)), itemId: `i${b % 4}`, category: `c${b % 3}`, price: '5' }),
      ),
    );
    // The job's own code in small chunks (many short transactions): more chances to interleave with the batches.
    const pool = h.db.pool({ max: 2 });
    const store = new ProfileStore(pool, { lifecycle: { newDays: 7, atRiskDays: 30, churnedDays: 90 }, eventIdRetentionDays: 30, profileRetentionDays: 400, priceReferenceTtlMs: 0, clock: h.clock });
    let tracking = true;
    const settling = (async () => {
      while (tracking) await store.settleDerived(h.clock.now(), 3);
    })();
    try {
      await Promise.all(batches.map((b) => h.track(site, b)));
    } finally {
      tracking = false;
      await settling;
      await pool.end();
    }
    await h.service.derivedJob.runOnce();

    const rows = await h.sql<{ user_id: string; behind: boolean; visit_behind: boolean; session_count: number }>(
      `SELECT user_id, derived_version <> derived_settled AS behind, last_visit <> last_seen_at AS visit_behind, session_count
         FROM user_profiles WHERE website_id = $1 ORDER BY user_id`,
      [site],
    );
    expect(rows).toHaveLength(users.length);
    expect(rows.filter((r) => r.behind || r.visit_behind)).toEqual([]);
    expect(await h.sql(`SELECT user_id FROM profile_pending WHERE website_id = $1`, [site])).toEqual([]);
    for (const r of rows) expect(r.session_count).toBe(batches.length);
    expect((await h.get(site, 'r0')).sessionCount).toBe(batches.length);
  });
});
