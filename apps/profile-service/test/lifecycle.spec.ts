import { randomUUID } from 'node:crypto';
import { EventType, LifecycleStage } from '@recsys/contracts/profile';
import { DAY, event, startHarness, type Harness } from './support/harness';

const { LIFECYCLE_STAGE_NEW: NEW, LIFECYCLE_STAGE_ACTIVE: ACTIVE, LIFECYCLE_STAGE_AT_RISK: AT_RISK, LIFECYCLE_STAGE_CHURNED: CHURNED } = LifecycleStage;

/** Lifecycle moves with time alone: on reads, in list filters and (periodic job) in the stored column. */
describe('lifecycle over simulated time', () => {
  let h: Harness;
  let site: string;
  const visit = (userId: string) => event({ userId, sessionId: randomUUID(), type: EventType.EVENT_TYPE_PAGE_VIEW, occurredAt: h.clock.now() });
  const stored = async (userId: string) =>
    (await h.sql<{ lifecycle_stage: string }>('SELECT lifecycle_stage FROM user_profiles WHERE website_id = $1 AND user_id = $2', [site, userId]))[0]
      .lifecycle_stage;
  const listed = async (stage: LifecycleStage) =>
    (await h.list({ websiteId: site, lifecycleStages: [stage] })).profiles.map((p) => p.userId).sort();

  beforeEach(async () => {
    h = await startHarness();
    site = await h.newWebsite();
  });
  afterEach(() => h?.close());

  it('new -> active -> at_risk -> churned for a user who stops coming (defaults 7 / 30 / 90 days)', async () => {
    await h.track(site, [visit('u')]);
    expect((await h.get(site, 'u')).lifecycleStage).toBe(NEW);
    expect(await stored('u')).toBe('new');

    h.clock.advance(7 * DAY); // first visit exactly 7 days ago: still new ("at most 7 days")
    expect((await h.get(site, 'u')).lifecycleStage).toBe(NEW);
    h.clock.advance(1);
    expect((await h.get(site, 'u')).lifecycleStage).toBe(ACTIVE);

    h.clock.advance(23 * DAY - 1); // last visit exactly 30 days ago: not yet at risk
    expect((await h.get(site, 'u')).lifecycleStage).toBe(ACTIVE);
    h.clock.advance(1);
    expect((await h.get(site, 'u')).lifecycleStage).toBe(AT_RISK);
    expect(await listed(AT_RISK)).toEqual(['u']);
    expect(await listed(ACTIVE)).toEqual([]);
    // The stored column lags until the periodic job runs.
    expect(await stored('u')).toBe('new');
    expect(await h.service.lifecycleJob.runOnce()).toMatchObject({ profilesChanged: 1 });
    expect(await stored('u')).toBe('at_risk');

    h.clock.advance(60 * DAY + 1); // more than 90 days
    expect((await h.get(site, 'u')).lifecycleStage).toBe(CHURNED);
    expect(await listed(CHURNED)).toEqual(['u']);
    await h.service.lifecycleJob.runOnce();
    expect(await stored('u')).toBe('churned');

    // Coming back makes the user active again (first visit is old).
    await h.track(site, [visit('u')]);
    expect((await h.get(site, 'u')).lifecycleStage).toBe(ACTIVE);
    expect(await stored('u')).toBe('active');
  });

  it('list filters evaluate every stage at the time of the call', async () => {
    await h.track(site, [visit('old')]);
    h.clock.advance(10 * DAY);
    await h.track(site, [visit('old'), visit('fresh')]);
    h.clock.advance(40 * DAY);
    await h.track(site, [visit('back')]);
    expect(await listed(NEW)).toEqual(['back']);
    expect(await listed(AT_RISK)).toEqual(['fresh', 'old']);
    h.clock.advance(5 * DAY);
    expect((await h.list({ websiteId: site, lifecycleStages: [NEW, AT_RISK] })).profiles.map((p) => p.userId).sort()).toEqual([
      'back',
      'fresh',
      'old',
    ]);
  });

  it('the periodic job forgets event ids after the retention period, not before', async () => {
    const e = visit('r');
    await h.track(site, [e]);
    h.clock.advance(35 * DAY - 1);
    expect(await h.service.lifecycleJob.runOnce()).toMatchObject({ eventIdsPurged: 0 });
    expect((await h.track(site, [e])).duplicateCount).toBe(1);
    h.clock.advance(2);
    expect(await h.service.lifecycleJob.runOnce()).toMatchObject({ eventIdsPurged: 1 });
  });

  it('forgets a visitor not seen for PROFILE_RETENTION_DAYS (400): the profile and every per-visitor row, not before', async () => {
    const tables = ['user_profiles', 'profile_sessions', 'profile_affinities', 'profile_prices', 'profile_orders'];
    const rowsOf = async (userId: string) => {
      const counts: Record<string, number> = {};
      for (const t of tables) counts[t] = Number((await h.sql<{ n: string }>(`SELECT count(*) AS n FROM ${t} WHERE website_id = $1 AND user_id = $2`, [site, userId]))[0]!.n);
      return counts;
    };
    const shopping = (userId: string) => {
      const sessionId = randomUUID();
      const occurredAt = h.clock.now();
      return [
        event({ userId, sessionId, type: EventType.EVENT_TYPE_PRODUCT_VIEW, occurredAt, itemId: 'sku-1', category: 'hats', price: '20' }),
        event({ userId, sessionId, type: EventType.EVENT_TYPE_PURCHASE, occurredAt, itemId: 'sku-1', category: 'hats', price: '20', revenue: '20', orderId: `o-${userId}` }),
      ];
    };
    await h.track(site, shopping('gone'));
    h.clock.advance(300 * DAY);
    await h.track(site, shopping('stays'));
    const everyTable = { user_profiles: 1, profile_sessions: 1, profile_affinities: expect.any(Number), profile_prices: expect.any(Number), profile_orders: 1 };
    expect(await rowsOf('gone')).toMatchObject(everyTable);
    expect((await rowsOf('gone')).profile_affinities).toBeGreaterThan(0);
    expect((await rowsOf('gone')).profile_prices).toBeGreaterThan(0);

    h.clock.advance(100 * DAY - 1); // 'gone' last seen 400 days ago less 1 ms
    expect(await h.service.lifecycleJob.runOnce()).toMatchObject({ profilesForgotten: 0 });
    h.clock.advance(2);
    expect(await h.service.lifecycleJob.runOnce()).toMatchObject({ profilesForgotten: 1 });
    expect(await rowsOf('gone')).toEqual(Object.fromEntries(tables.map((t) => [t, 0])));
    expect(await rowsOf('stays')).toMatchObject(everyTable);
    await expect(h.get(site, 'gone')).rejects.toMatchObject({ code: 5 });
  });
});

describe('lifecycle thresholds are configurable', () => {
  it('uses LIFECYCLE_NEW_DAYS / LIFECYCLE_AT_RISK_DAYS / LIFECYCLE_CHURNED_DAYS', async () => {
    const h = await startHarness({ LIFECYCLE_NEW_DAYS: '1', LIFECYCLE_AT_RISK_DAYS: '3', LIFECYCLE_CHURNED_DAYS: '5' });
    try {
      const site = await h.newWebsite();
      await h.track(site, [event({ userId: 'c', sessionId: randomUUID(), type: EventType.EVENT_TYPE_PAGE_VIEW, occurredAt: h.clock.now() })]);
      h.clock.advance(2 * DAY);
      expect((await h.get(site, 'c')).lifecycleStage).toBe(ACTIVE);
      h.clock.advance(2 * DAY);
      expect((await h.get(site, 'c')).lifecycleStage).toBe(AT_RISK);
      h.clock.advance(2 * DAY);
      expect((await h.get(site, 'c')).lifecycleStage).toBe(CHURNED);
    } finally {
      await h.close();
    }
  });
});

describe('the periodic lifecycle job', () => {
  it('is started by bootstrap and moves stored stages on its own; close() stops it', async () => {
    const h = await startHarness({ LIFECYCLE_REFRESH_INTERVAL_MS: '20' });
    try {
      const site = await h.newWebsite();
      await h.track(site, [event({ userId: 'p', sessionId: randomUUID(), type: EventType.EVENT_TYPE_PAGE_VIEW, occurredAt: h.clock.now() })]);
      h.clock.advance(31 * DAY);
      // Poll (no fixed sleep, no timing asserted): the timer, not this test, runs the job.
      let stage = '';
      for (let i = 0; i < 250 && stage !== 'at_risk'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        stage = (await h.sql<{ lifecycle_stage: string }>('SELECT lifecycle_stage FROM user_profiles WHERE website_id = $1', [site]))[0].lifecycle_stage;
      }
      expect(stage).toBe('at_risk');
    } finally {
      await h.close();
    }
  });
});
