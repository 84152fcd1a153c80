import { status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { EventType, type Event } from '@recsys/contracts/profile';
import { Client } from 'pg';
import { LOCK_WEBSITE } from '../src/store/locks-sql';
import { at, event, startHarness, type Harness } from './support/harness';

const BOOKKEEPING = ['profile_event_ids', 'profile_sessions', 'profile_affinities', 'profile_prices', 'profile_orders', 'profile_pending'];
const { EVENT_TYPE_PAGE_VIEW: PAGE, EVENT_TYPE_PRODUCT_VIEW: PRODUCT, EVENT_TYPE_PURCHASE: PURCHASE } = EventType;

describe('TrackEvents ingestion', () => {
  let h: Harness;
  let site: string;
  const T0 = new Date('2026-11-24T10:00:00Z');
  beforeAll(async () => {
    h = await startHarness();
  });
  beforeEach(async () => {
    site = await h.newWebsite();
  });
  afterAll(() => h?.close());

  describe('dedupe', () => {
    it('a replayed batch is skipped entirely and changes nothing', async () => {
      const s = randomUUID();
      const batch = [
        event({ userId: 'd1', sessionId: s, type: PAGE, occurredAt: at(T0, 0) }),
        event({ userId: 'd1', sessionId: s, type: PURCHASE, occurredAt: at(T0, 1), revenue: '9.99', orderId: 'o' }),
        event({ userId: 'd2', sessionId: s, type: PRODUCT, occurredAt: at(T0, 2), itemId: 'x' }),
      ];
      expect(await h.track(site, batch)).toEqual({ acceptedCount: 3, duplicateCount: 0, profilesUpdatedCount: 2 });
      const before = await h.get(site, 'd1');
      h.clock.advance(60_000);
      expect(await h.track(site, batch)).toEqual({ acceptedCount: 0, duplicateCount: 3, profilesUpdatedCount: 0 });
      const after = await h.get(site, 'd1');
      expect(after).toEqual({ ...before, lifecycleStage: after.lifecycleStage });
      expect(after.updatedAt).toEqual(before.updatedAt);
    });

    it('ids repeated in one batch, or replayed with other content, count once: the first version wins', async () => {
      const s = randomUUID();
      const first = event({ userId: 'd3', sessionId: s, type: PURCHASE, occurredAt: at(T0, 0), revenue: '10' });
      const res = await h.track(site, [first, { ...first, revenue: '99' }, event({ userId: 'd3', sessionId: s, type: PAGE, occurredAt: at(T0, 1) })]);
      expect(res).toEqual({ acceptedCount: 2, duplicateCount: 1, profilesUpdatedCount: 1 });
      expect(await h.track(site, [{ ...first, revenue: '50' }])).toMatchObject({ acceptedCount: 0, duplicateCount: 1 });
      const p = await h.get(site, 'd3');
      expect(p.totalRevenue).toBe('10.0000');
      expect(p.totalEvents).toBe(2);
    });

    it('event ids are per website: the same id on another website is a new event', async () => {
      const other = await h.newWebsite();
      const e = event({ userId: 'd4', sessionId: randomUUID(), type: PAGE, occurredAt: T0 });
      expect((await h.track(site, [e])).acceptedCount).toBe(1);
      expect((await h.track(other, [e])).acceptedCount).toBe(1);
    });
  });

  describe('PRODUCT_VIEW with page_view = false', () => {
    it('weighs and funnels like a product view but is not a page view', async () => {
      const s = randomUUID();
      await h.track(site, [
        event({ userId: 'pv', sessionId: s, type: PAGE, occurredAt: at(T0, 0), urlPath: '/p/42' }),
        event({ userId: 'pv', sessionId: s, type: PRODUCT, occurredAt: at(T0, 1), itemId: '42', category: 'shoes', pageView: false }),
      ]);
      const p = await h.get(site, 'pv');
      // One page (the PAGE_VIEW); the product event is another event of the session, so no bounce.
      expect(p.totalPageviews).toBe(1);
      expect(p.totalEvents).toBe(2);
      expect(p.bounceRate).toBe(0);
      expect(p.favoriteProducts).toEqual(['42']);
      expect(p.favoriteCategories).toEqual(['shoes']);
      expect(p.funnelPosition).toBe(2); // CONSIDERATION
      // page_view = true is the default: counted as a page.
      await h.track(site, [event({ userId: 'pv', sessionId: s, type: PRODUCT, occurredAt: at(T0, 2), itemId: '43', pageView: true })]);
      expect((await h.get(site, 'pv')).totalPageviews).toBe(2);
    });
  });

  describe('validation: the batch is accepted or rejected as a whole', () => {
    const s = randomUUID();
    const ok = () => event({ userId: 'v', sessionId: s, type: PAGE, occurredAt: T0 });
    it.each<[string, Partial<Event>, string]>([
      ['no event id', { eventId: '' }, 'events[1].event_id: must be 1..128 printable ASCII characters'],
      ['a malformed session id', { sessionId: 'nope' }, 'events[1].session_id: must be a UUID'],
      ['no time', { occurredAt: undefined }, 'events[1].occurred_at: must be set'],
      ['a time in the future', { occurredAt: new Date('2026-11-25T12:30:00Z') }, 'events[1].occurred_at: must not be more than 5 minutes'],
      ['no type', { type: EventType.EVENT_TYPE_UNSPECIFIED }, 'events[1].type: must be set'],
      ['a page view without path', { urlPath: '' }, 'events[1].url_path: must be set for a PAGE_VIEW'],
      ['a malformed price', { price: '1,99' }, 'events[1].price: must be a non-negative decimal'],
      ['revenue on a page view', { revenue: '1' }, 'events[1].revenue: must be empty unless the type is PURCHASE'],
      ['scroll depth above 100', { scrollDepthPercent: 101 }, 'events[1].scroll_depth_percent: must be 0..100, got 101'],
      ['an empty user id', { userId: '' }, 'events[1].user_id: must be set'],
      ['page_view on a page view', { pageView: false }, 'events[1].page_view: must be unset unless the type is PRODUCT_VIEW'],
    ])('%s: INVALID_ARGUMENT naming the event and field, nothing recorded', async (_what, change, message) => {
      const err = await h.track(site, [ok(), { ...ok(), ...change }]).catch((e) => e);
      expect(err.code).toBe(Status.INVALID_ARGUMENT);
      expect(err.details).toContain(message);
      expect(await h.sql('SELECT 1 FROM profile_event_ids WHERE website_id = $1', [site])).toHaveLength(0);
      expect(await h.sql('SELECT 1 FROM user_profiles WHERE website_id = $1', [site])).toHaveLength(0);
    });

    it('an empty batch and a batch above 10,000 events are INVALID_ARGUMENT', async () => {
      await expect(h.track(site, [])).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: 'events: must hold 1..10000 events, got 0' });
      const tooMany = Array.from({ length: 10_001 }, () => ({ ...ok(), eventId: 'same' }));
      await expect(h.track(site, tooMany)).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    });

    it('an unknown website is NOT_FOUND and a malformed one INVALID_ARGUMENT', async () => {
      await expect(h.track(randomUUID(), [ok()])).rejects.toMatchObject({ code: Status.NOT_FOUND });
      await expect(h.track('site-1', [ok()])).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: 'website_id: must be a UUID' });
    });
  });

  it('takes a batch of 10,000 events for 10,000 different users (row locks, not one advisory lock per user)', async () => {
    const s = randomUUID();
    const events = Array.from({ length: 10_000 }, (_, i) => event({ userId: `many-${i}`, sessionId: s, type: PAGE, occurredAt: at(T0, 0) }));
    expect(await h.track(site, events)).toEqual({ acceptedCount: 10_000, duplicateCount: 0, profilesUpdatedCount: 10_000 });
    expect((await h.get(site, 'many-9999')).totalEvents).toBe(1);
  });

  it('concurrent batches for the same user from several callers never lose an update', async () => {
    const callers = 8;
    const perCaller = 60;
    // One session per caller: session_count is only right if each batch's recomputation saw the others'.
    const sessions = Array.from({ length: callers }, () => randomUUID());
    const batches = Array.from({ length: callers }, (_, c) =>
      Array.from({ length: perCaller }, (_, i) =>
        event({
          userId: 'hot',
          sessionId: sessions[c],
          type: i % 10 === 0 ? PURCHASE : PRODUCT,
          occurredAt: at(T0, c * perCaller + i),
          itemId: `item-${i % 7}`,
          category: `cat-${c % 4}`,
          price: '10.5',
          revenue: i % 10 === 0 ? '1.25' : '',
          orderId: i % 10 === 0 ? `order-${c}-${i}` : '',
        }),
      ),
    );
    // The profile exists before the race (its creation would serialize the callers by itself).
    await h.track(site, [event({ userId: 'hot', sessionId: sessions[0], type: PRODUCT, occurredAt: at(T0, 0), itemId: 'item-0', category: 'cat-0', price: '10.5' })]);
    // Each caller also replays another caller's batch: duplicates race with first deliveries.
    const calls = batches.flatMap((b, c) => [h.track(site, b), h.track(site, batches[(c + 1) % callers])]);
    const results = await Promise.all(calls);
    const total = callers * perCaller;
    const warmUp = 1;
    expect(results.reduce((n, r) => n + r.acceptedCount, 0)).toBe(total);
    expect(results.reduce((n, r) => n + r.duplicateCount, 0)).toBe(total);

    const p = await h.get(site, 'hot');
    const purchases = callers * (perCaller / 10);
    expect(p.totalEvents).toBe(total + warmUp);
    expect(p.totalPageviews).toBe(total - purchases + warmUp);
    expect(p.totalPurchases).toBe(purchases);
    expect(p.totalRevenue).toBe((purchases * 1.25).toFixed(4));
    expect(p.sessionCount).toBe(callers);
    expect(p.avgSessionDurationSeconds).toBe((perCaller - 1) * 60);
    expect([...p.favoriteCategories].sort()).toEqual(['cat-0', 'cat-1', 'cat-2', 'cat-3']);
    expect(p.firstVisit).toEqual(at(T0, 0));
    expect(p.lastVisit).toEqual(at(T0, total - 1));
    const [weights] = await h.sql<{ sum: string }>(
      `SELECT sum(weight) FROM profile_affinities WHERE website_id = $1 AND user_id = 'hot' AND kind = 'category'`,
      [site],
    );
    expect(Number(weights.sum)).toBe((total - purchases) * 1 + purchases * 5 + warmUp);
    const [sessionsRow] = await h.sql<{ pv: string }>(`SELECT sum(page_views) AS pv FROM profile_sessions WHERE website_id = $1`, [site]);
    expect(Number(sessionsRow.pv)).toBe(total - purchases + warmUp);
  });

  describe('website deletion (migration 017: a trigger, not per-row foreign keys, on the bookkeeping)', () => {
    const counts = (websiteId: string) =>
      h.sql<Record<string, number>>(
        `SELECT ${BOOKKEEPING.map((t) => `(SELECT count(*)::int FROM ${t} WHERE website_id = $1) AS ${t}`).join(', ')},
                (SELECT count(*)::int FROM user_profiles WHERE website_id = $1) AS user_profiles`,
        [websiteId],
      );
    const none = Object.fromEntries([...BOOKKEEPING, 'user_profiles'].map((t) => [t, 0]));

    it('deleting a website deletes its profiles and every bookkeeping row, and no other website’s', async () => {
      const other = await h.newWebsite();
      const s = randomUUID();
      const batch = [
        event({ userId: 'w1', sessionId: s, type: PRODUCT, occurredAt: at(T0, 0), itemId: 'x', category: 'c', brand: 'b', price: '5' }),
        event({ userId: 'w1', sessionId: s, type: PURCHASE, occurredAt: at(T0, 1), revenue: '5', orderId: 'o-1' }),
      ];
      await h.track(site, batch);
      await h.track(other, batch);
      const [before] = await counts(site);
      for (const table of Object.keys(none)) expect(before[table]).toBeGreaterThan(0);

      await h.sql('DELETE FROM website WHERE website_id = $1', [site]);
      expect((await counts(site))[0]).toEqual(none);
      expect((await counts(other))[0]).toEqual(before);
    });

    it('a delete that races a batch waits for the batch’s website lock, then removes the batch’s rows too', async () => {
      const batch = new Client({ connectionString: h.db.url });
      const deleter = new Client({ connectionString: h.db.url });
      await Promise.all([batch.connect(), deleter.connect()]);
      try {
        await batch.query('BEGIN');
        expect((await batch.query(LOCK_WEBSITE, [site])).rowCount).toBe(1);
        await batch.query(`INSERT INTO profile_orders (website_id, user_id, order_id) VALUES ($1, 'racer', 'o-race')`, [site]);
        const pid = (await deleter.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        const deleted = deleter.query('DELETE FROM website WHERE website_id = $1', [site]);
        // The delete is blocked by the batch's lock (observed in pg_stat_activity, not by waiting a fixed time).
        for (let waiting = false; !waiting; ) {
          const [row] = await h.sql<{ lock: boolean }>(`SELECT wait_event_type = 'Lock' AS lock FROM pg_stat_activity WHERE pid = $1`, [pid]);
          waiting = row?.lock === true;
        }
        await batch.query('COMMIT');
        expect((await deleted).rowCount).toBe(1);
        expect((await counts(site))[0]).toEqual(none);
        // After the delete, a batch finds no website.
        await expect(h.track(site, [event({ userId: 'late', sessionId: randomUUID(), type: PAGE, occurredAt: T0 })])).rejects.toMatchObject({
          code: Status.NOT_FOUND,
        });
      } finally {
        await Promise.all([batch.end(), deleter.end()]);
      }
    });
  });
});
