import { status as Status } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Device, EventType, type GetItemSignalsResponse, type StreamItemSignalsResponse } from '@recsys/contracts/profile';
import { unary } from '@recsys/service-kit/testing';
import { DAY, event, startHarness, type Harness } from './support/harness';

const { EVENT_TYPE_PRODUCT_VIEW: VIEW, EVENT_TYPE_ADD_TO_CART: CART, EVENT_TYPE_PURCHASE: PURCHASE } = EventType;

/** GetItemSignals over hand-built sessions; every expected number is worked out here from the documented rules. */
describe('GetItemSignals', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ ITEM_SIGNAL_HALF_LIFE_DAYS: '14', ITEM_SIGNALS_TTL_MS: '30000' });
  });
  afterAll(() => h?.close());

  const signals = (websiteId: string, knownVersion = ''): Promise<GetItemSignalsResponse> =>
    unary(h.client.getItemSignals.bind(h.client), { websiteId, knownVersion });

  const streamed = async (websiteId: string, knownVersion = ''): Promise<StreamItemSignalsResponse[]> => {
    const parts: StreamItemSignalsResponse[] = [];
    for await (const part of h.client.streamItemSignals({ websiteId, knownVersion }) as AsyncIterable<StreamItemSignalsResponse>) parts.push(part);
    return parts;
  };

  it('popularity, per-kind counts and co-visitation decay by the half-life; polling with the version is cheap until they change', async () => {
    const site = await h.newWebsite();
    const now = h.clock.now();
    const twoWeeksAgo = new Date(now.getTime() - 14 * DAY); // one half-life: every interaction there counts 0.5
    const [s1, s2] = [randomUUID(), randomUUID()];
    await h.track(site, [
      event({ userId: 'a', sessionId: s1, type: VIEW, occurredAt: twoWeeksAgo, itemId: 'sku-1' }),
      event({ userId: 'a', sessionId: s1, type: VIEW, occurredAt: twoWeeksAgo, itemId: 'sku-2' }),
      event({ userId: 'a', sessionId: s1, type: PURCHASE, occurredAt: twoWeeksAgo, itemId: 'sku-2', revenue: '10', orderId: 'o1' }),
      event({ userId: 'b', sessionId: s2, type: VIEW, occurredAt: now, itemId: 'sku-1' }),
      event({ userId: 'b', sessionId: s2, type: CART, occurredAt: now, itemId: 'sku-1' }),
      event({ userId: 'b', sessionId: s2, type: VIEW, occurredAt: now, itemId: 'sku-3' }),
    ]);
    const first = await signals(site);
    expect(first.unchanged).toBe(false);
    const rounded = first.items.map((i) => ({
      itemId: i.itemId,
      popularity: +i.popularity.toFixed(9),
      views: +i.views.toFixed(9),
      carts: +i.carts.toFixed(9),
      purchases: +i.purchases.toFixed(9),
      coVisited: i.coVisited.map((n) => [n.itemId, +n.weight.toFixed(9)]),
    }));
    expect(rounded).toEqual([
      // view 1 x 0.5 + view 1 x 1 + cart 3 x 1
      { itemId: 'sku-1', popularity: 4.5, views: 1.5, carts: 1, purchases: 0, coVisited: [['sku-3', 1], ['sku-2', 0.5]] },
      // view 1 x 0.5 + purchase 5 x 0.5
      { itemId: 'sku-2', popularity: 3, views: 0.5, carts: 0, purchases: 0.5, coVisited: [['sku-1', 0.5]] },
      { itemId: 'sku-3', popularity: 1, views: 1, carts: 0, purchases: 0, coVisited: [['sku-1', 1]] },
    ]);

    // The same version within DELTA_EVERY_MS (1 s): nothing to send.
    await h.track(site, [event({ userId: 'c', sessionId: randomUUID(), type: VIEW, occurredAt: now, itemId: 'sku-3' })]);
    expect(await signals(site, first.version)).toMatchObject({ version: first.version, unchanged: true, items: [] });
    // A second later the next caller's answer has it: a delta over what happened after the full computation's
    // cut-off (10 minutes before it), whatever the size of the history. Two views of sku-3, both now 1 s old.
    h.clock.advance(1_000);
    const second = await signals(site, first.version);
    expect(second.unchanged).toBe(false);
    expect(second.version).not.toBe(first.version);
    expect(second.items.find((i) => i.itemId === 'sku-3')!.views).toBeCloseTo(2 * 0.5 ** (1_000 / (14 * DAY)), 9);
    // Nothing new since: the same version.
    h.clock.advance(1_000);
    expect(await signals(site, second.version)).toMatchObject({ version: second.version, unchanged: true, items: [] });
  });

  it('a load of history dated before the full computation\'s cut-off: computed_at stays before the load until a full computation covers it; live behaviour still shows', async () => {
    const site = await h.newWebsite();
    const t0 = h.clock.now();
    const view = (userId: string, itemId: string, occurredAt: Date) => event({ userId, sessionId: randomUUID(), type: VIEW, occurredAt, itemId });
    await h.track(site, [view('a', 'live-1', t0)]);
    const first = await signals(site);
    expect(first.computedAt).toEqual(t0);

    h.clock.advance(1_000);
    const loadStarted = h.clock.now();
    const threeDaysAgo = new Date(t0.getTime() - 3 * DAY);
    await h.track(site, [view('b', 'old-1', threeDaysAgo), view('b', 'old-2', threeDaysAgo)]);
    h.clock.advance(1_000);
    await h.track(site, [view('c', 'live-2', h.clock.now())]);
    h.clock.advance(1_000);
    const during = await signals(site);
    const ids = (r: GetItemSignalsResponse) => r.items.map((i) => i.itemId);
    expect(ids(during)).toContain('live-2'); // a delta brought the live view
    expect(ids(during)).not.toContain('old-1'); // no delta reads before the cut-off
    expect(during.computedAt!.getTime()).toBeLessThan(loadStarted.getTime()); // so the answer does not claim the load

    // Past the TTL a full computation starts in the background; once it is in, the load is and computed_at says so.
    h.clock.advance(30_000);
    let after = await signals(site);
    for (const deadline = Date.now() + 10_000; !ids(after).includes('old-1') && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
      after = await signals(site);
    }
    expect(ids(after)).toEqual(expect.arrayContaining(['live-1', 'live-2', 'old-1', 'old-2']));
    expect(after.computedAt!.getTime()).toBeGreaterThanOrEqual(loadStarted.getTime());
  });

  it('next items: what the same visitor went to next within an hour, each step decayed', async () => {
    const site = await h.newWebsite();
    const t0 = new Date(h.clock.now().getTime() - 14 * DAY);
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    const view = (userId: string, itemId: string, seconds: number) => event({ userId, sessionId: randomUUID(), type: VIEW, occurredAt: at(seconds), itemId });
    await h.track(site, [
      view('u1', 'A', 0),
      view('u1', 'B', 60),
      view('u1', 'C', 60 + 2 * 3600), // more than an hour after B: not a next step
      view('u2', 'A', 0),
      view('u2', 'B', 300),
      view('u3', 'B', 0),
      view('u3', 'A', 30),
    ]);
    const res = await signals(site);
    const next = Object.fromEntries(res.items.map((i) => [i.itemId, i.nextItems.map((n) => [n.itemId, n.weight])]));
    // A step counts the decay of its later interaction: 0.5^(age / 14 days).
    const decay = (seconds: number) => 0.5 ** ((14 * DAY - seconds * 1000) / (14 * DAY));
    expect(next.C).toEqual([]);
    expect(next.A).toHaveLength(1);
    expect(next.A![0]![0]).toBe('B');
    expect(next.A![0]![1]).toBeCloseTo(decay(60) + decay(300), 9);
    expect(next.B).toHaveLength(1);
    expect(next.B![0]![0]).toBe('A');
    expect(next.B![0]![1]).toBeCloseTo(decay(30), 9);
  });

  it('bought together, trending windows and segment popularity, on hand-built orders', async () => {
    const site = await h.newWebsite();
    const now = h.clock.now();
    const halfLifeAgo = new Date(now.getTime() - 14 * DAY); // decay 0.5
    const threeDaysAgo = new Date(now.getTime() - 3 * DAY);
    const buy = (userId: string, sessionId: string, occurredAt: Date, itemId: string, device: Device, orderId = '') =>
      event({ userId, sessionId, type: PURCHASE, occurredAt, itemId, device, revenue: '10', orderId });
    const [s1, s2, s3, s4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await h.track(site, [
      buy('a', s1, halfLifeAgo, 'P1', Device.DEVICE_MOBILE, 'o1'),
      buy('a', s1, halfLifeAgo, 'P2', Device.DEVICE_MOBILE, 'o1'),
      buy('b', s2, now, 'P1', Device.DEVICE_DESKTOP, 'o2'),
      buy('b', s2, now, 'P3', Device.DEVICE_DESKTOP, 'o2'),
      buy('c', s3, now, 'P2', Device.DEVICE_MOBILE), // no order id: the session is the basket
      buy('c', s3, now, 'P3', Device.DEVICE_MOBILE),
      event({ userId: 'd', sessionId: s4, type: VIEW, occurredAt: threeDaysAgo, itemId: 'P3', device: Device.DEVICE_DESKTOP }),
    ]);
    const res = await signals(site);
    const of = (id: string) => res.items.find((i) => i.itemId === id)!;
    const pairs = (id: string) => of(id).boughtTogether.map((n) => [n.itemId, +n.weight.toFixed(9)]);
    // Each order weighs the decay of its later purchase: o1 0.5, o2 and session s3 1.
    expect(pairs('P1')).toEqual([['P3', 1], ['P2', 0.5]]);
    expect(pairs('P2')).toEqual([['P3', 1], ['P1', 0.5]]);
    expect(pairs('P3')).toEqual([['P1', 1], ['P2', 1]]); // a tie: by id
    // Undecayed weights (purchase 5, view 1) in the last day and week; the purchases 14 days ago count in neither.
    expect([of('P1').popularity1d, of('P1').popularity7d]).toEqual([5, 5]);
    expect([of('P2').popularity1d, of('P2').popularity7d]).toEqual([5, 5]);
    expect([of('P3').popularity1d, of('P3').popularity7d]).toEqual([10, 11]);
    // Decayed weights per device, and per the visitors' stored lifecycle stage: a, first seen 14 days ago,
    // is active; b, c and d, first seen within LIFECYCLE_NEW_DAYS (7), are new.
    const viewThreeDaysAgo = 0.5 ** (3 / 14);
    const segments = (id: string) => Object.fromEntries(Object.entries(of(id).segmentPopularity).map(([k, v]) => [k, +v.toFixed(9)]));
    expect(segments('P1')).toEqual({ 'device:mobile': 2.5, 'device:desktop': 5, 'lifecycle:active': 2.5, 'lifecycle:new': 5 });
    expect(segments('P2')).toEqual({ 'device:mobile': 7.5, 'lifecycle:active': 2.5, 'lifecycle:new': 5 });
    expect(segments('P3')).toEqual({ 'device:mobile': 5, 'device:desktop': +(5 + viewThreeDaysAgo).toFixed(9), 'lifecycle:new': +(10 + viewThreeDaysAgo).toFixed(9) });
  });

  it('co-visitation within ITEM_SIGNAL_PAIR_BUDGET: the most recent visitors\' pairs, older ones left out', async () => {
    const small = await startHarness({ ITEM_SIGNAL_PAIR_BUDGET: '2' });
    try {
      const site = await small.newWebsite();
      const now = small.clock.now();
      const tenDaysAgo = new Date(now.getTime() - 10 * DAY);
      const yesterday = new Date(now.getTime() - DAY); // before the full computation's cut-off: the budget is the full computation's
      const view = (userId: string, itemId: string, occurredAt: Date) => event({ userId, sessionId: randomUUID(), type: VIEW, occurredAt, itemId });
      // Two visitors of two items: two pairs each (X→Y, Y→X; X→Z, Z→X); the budget holds the recent one's only.
      await small.track(site, [view('old', 'X', tenDaysAgo), view('old', 'Y', tenDaysAgo), view('new', 'X', yesterday), view('new', 'Z', yesterday)]);
      const res = await unary<{ websiteId: string; knownVersion: string }, GetItemSignalsResponse>(small.client.getItemSignals.bind(small.client), { websiteId: site, knownVersion: '' });
      const co = Object.fromEntries(res.items.map((i) => [i.itemId, i.coVisited.map((n) => n.itemId)]));
      expect(co).toEqual({ X: ['Z'], Y: [], Z: ['X'] });
    } finally {
      await small.close();
    }
  });

  it('StreamItemSignals: the same items in parts of at most 200, every part with the version; unchanged is one empty part', async () => {
    const site = await h.newWebsite();
    const now = h.clock.now();
    // 450 items viewed once each by its own visitor, item-449 once more: a known order (item-449, then by id), three parts.
    const id = (n: number) => `item-${String(n).padStart(3, '0')}`;
    const view = (n: number, userId: string) => event({ userId, sessionId: randomUUID(), type: VIEW, occurredAt: now, itemId: id(n) });
    await h.track(site, [...Array.from({ length: 450 }, (_, n) => view(n, `u${n}`)), view(449, 'another')]);
    const parts = await streamed(site);
    expect(parts.map((p) => p.items.length)).toEqual([200, 200, 50]);
    expect(new Set(parts.map((p) => p.version)).size).toBe(1);
    const items = parts.flatMap((p) => p.items);
    expect(items.map((i) => i.itemId)).toEqual([id(449), ...Array.from({ length: 449 }, (_, n) => id(n))]);
    expect(items[0]!.views).toBe(2);
    expect(items).toEqual((await signals(site)).items);

    const again = await streamed(site, parts[0]!.version);
    expect(again).toEqual([expect.objectContaining({ version: parts[0]!.version, unchanged: true, items: [] })]);
    await expect(streamed(randomUUID())).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it('refuses a malformed or unknown website', async () => {
    await expect(signals('nope')).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringMatching(/^website_id: /) });
    await expect(signals(randomUUID())).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });
});
