import { credentials } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Device, EventType, ProfileServiceClient, type Event, type GetItemSignalsResponse, type ItemNeighbour, type ItemSignal } from '@recsys/contracts/profile';
import { unary } from '@recsys/service-kit/testing';
import { bootstrap } from '../src/bootstrap';
import { loadServiceConfig } from '../src/config';
import { LATE_MS } from '../src/item-signals';
import { event, ManualClock, startHarness, type Harness } from './support/harness';

const { EVENT_TYPE_PRODUCT_VIEW: VIEW, EVENT_TYPE_ADD_TO_CART: CART, EVENT_TYPE_PURCHASE: PURCHASE } = EventType;
const MINUTE = 60_000;
const HALF_LIFE_DAYS = 30;

/** A small deterministic generator (mulberry32), so the history is the same on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const signals = (client: ProfileServiceClient, websiteId: string): Promise<GetItemSignalsResponse> =>
  unary(client.getItemSignals.bind(client), { websiteId, knownVersion: '' });

/**
 * The delta path against the full one: a full computation plus a delta over
 * what happened after its cut-off must give what a full computation of the
 * whole history gives (decayed to the same time), as long as every visitor's
 * and order's history lies within the delta's look-back, which this history
 * does by construction.
 */
describe('item signals: a full computation and a delta equal a full computation of everything', () => {
  let h: Harness;
  beforeAll(async () => {
    // A full computation is not repeated within the test: every later answer is the first one plus a delta.
    h = await startHarness({ ITEM_SIGNAL_HALF_LIFE_DAYS: String(HALF_LIFE_DAYS), ITEM_SIGNALS_TTL_MS: '3600000' });
  });
  afterAll(() => h?.close());

  it('popularity, trending, co-visitation, next items, bought together and segments, to 1e-9', async () => {
    const site = await h.newWebsite();
    const start = h.clock.now();
    const next = random(17);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
    const items = Array.from({ length: 10 }, (_, i) => `i${i}`);
    const devices = [Device.DEVICE_MOBILE, Device.DEVICE_DESKTOP, Device.DEVICE_TABLET];
    const visit = (userId: string, from: number, to: number, orderId: string): Event[] => {
      const sessionId = randomUUID();
      const device = pick(devices);
      return Array.from({ length: 2 + Math.floor(next() * 4) }, () => {
        const occurredAt = new Date(start.getTime() + (from + next() * (to - from)) * MINUTE);
        const r = next();
        const type = r < 0.7 ? VIEW : r < 0.85 ? CART : PURCHASE;
        return event({ userId, sessionId, occurredAt, itemId: pick(items), type, device, ...(type === PURCHASE ? { revenue: '10', orderId } : {}) });
      });
    };
    // Before the first answer: visits between 60 and 15 minutes ago (the cut-off is 10 minutes ago, its look-back an hour before that).
    const before = Array.from({ length: 12 }, (_, v) => visit(`v${v}`, -60, -15, `o-a${v}`)).flat();
    // An order that spans the cut-off: one line before it, one after.
    before.push(event({ userId: 'v0', sessionId: randomUUID(), occurredAt: new Date(start.getTime() - 20 * MINUTE), itemId: 'i1', type: PURCHASE, revenue: '5', orderId: 'o-span' }));
    await h.track(site, before);
    const first = await signals(h.client, site);
    expect(first.items.length).toBeGreaterThan(5);

    // Two minutes later: returning visitors (v0..v5, some items again) and new ones, and events that arrive late
    // (their time 5 minutes before the first answer, after the cut-off).
    h.clock.advance(2 * MINUTE);
    const after = [
      ...Array.from({ length: 6 }, (_, v) => visit(`v${v}`, 0, 2, `o-b${v}`)),
      ...Array.from({ length: 4 }, (_, v) => visit(`w${v}`, 0, 2, `o-c${v}`)),
      visit('late', -5, -4, 'o-late'),
    ].flat();
    after.push(event({ userId: 'v0', sessionId: randomUUID(), occurredAt: new Date(start.getTime() + MINUTE), itemId: 'i2', type: PURCHASE, revenue: '5', orderId: 'o-span' }));
    await h.track(site, after);
    const merged = await signals(h.client, site);
    expect(merged.version).not.toBe(first.version);
    expect(merged.computedAt!.getTime()).toBe(h.clock.now().getTime());

    // The reference: another profile-service on the same database, far enough later that all of it is before
    // its cut-off, so it is one full computation; its values decayed back to the merged answer's time.
    const later = new Date(h.clock.now().getTime() + LATE_MS + 1_000);
    const reference = await bootstrap(
      loadServiceConfig({ DATABASE_URL: h.db.url, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', LIFECYCLE_REFRESH_INTERVAL_MS: '0', DERIVED_SETTLE_INTERVAL_MS: '0', ITEM_SIGNAL_HALF_LIFE_DAYS: String(HALF_LIFE_DAYS) }),
      { clock: new ManualClock(later) },
    );
    const client = new ProfileServiceClient(`127.0.0.1:${reference.port}`, credentials.createInsecure());
    try {
      const whole = await signals(client, site);
      const back = 0.5 ** (-(LATE_MS + 1_000) / (HALF_LIFE_DAYS * 86_400_000));
      expectSameSignals(merged.items, whole.items, back);
    } finally {
      client.close();
      await reference.close();
    }
  });
});

function expectSameSignals(actual: ItemSignal[], expected: ItemSignal[], scale: number) {
  const close = (a: number, e: number, what: string) => {
    if (Math.abs(a - e) > 1e-9 * Math.max(1, Math.abs(e))) throw new Error(`${what}: ${a}, expected ${e}`);
  };
  const neighbours = (a: ItemNeighbour[], e: ItemNeighbour[], what: string) => {
    expect([what, a.map((n) => n.itemId).sort()]).toEqual([what, e.map((n) => n.itemId).sort()]);
    const weights = new Map(a.map((n) => [n.itemId, n.weight]));
    for (const n of e) close(weights.get(n.itemId)!, n.weight * scale, `${what} ${n.itemId}`);
  };
  expect(actual.map((i) => i.itemId).sort()).toEqual(expected.map((i) => i.itemId).sort());
  const byId = new Map(actual.map((i) => [i.itemId, i]));
  for (const e of expected) {
    const a = byId.get(e.itemId)!;
    for (const field of ['popularity', 'views', 'carts', 'purchases'] as const) close(a[field], e[field] * scale, `${e.itemId}.${field}`);
    close(a.popularity1d, e.popularity1d, `${e.itemId}.popularity1d`);
    close(a.popularity7d, e.popularity7d, `${e.itemId}.popularity7d`);
    neighbours(a.coVisited, e.coVisited, `${e.itemId}.coVisited`);
    neighbours(a.nextItems, e.nextItems, `${e.itemId}.nextItems`);
    neighbours(a.boughtTogether, e.boughtTogether, `${e.itemId}.boughtTogether`);
    expect([e.itemId, Object.keys(a.segmentPopularity).sort()]).toEqual([e.itemId, Object.keys(e.segmentPopularity).sort()]);
    for (const [segment, p] of Object.entries(e.segmentPopularity)) close(a.segmentPopularity[segment]!, p * scale, `${e.itemId}.${segment}`);
  }
}
