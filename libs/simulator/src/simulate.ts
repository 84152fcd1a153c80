import type { Metadata, ServiceError } from '@grpc/grpc-js';
import { Device, Event, EventType, type ProfileServiceClient } from '@recsys/contracts/profile';
import { ItemType, Outcome, PageType, RecommendRequest, UpsertItemsRequest, type RankingServiceClient, type RecommendResponse } from '@recsys/contracts/ranking';
import { runSession, type SessionResult, type SimEvent } from './session';
import { untilSignalsServed } from './signals-served';
import { seededRandom } from '@recsys/onnx';
import { makeWorld, type SimUser } from './world';

export interface SimulationClients {
  profile: ProfileServiceClient;
  ranking: RankingServiceClient;
  /** Sent with every call (a bearer token). */
  metadata: Metadata;
}

export interface SimulationOptions {
  websiteId: string;
  seed: number;
  items: number;
  users: number;
  /** Days of history before now, tracked without recommendations. */
  historyDays: number;
  /** Visits now, each page asking Recommend and the visitor reacting to it. */
  liveSessions: number;
  /** Recommend's `count` on each page. */
  shown: number;
  /**
   * Another run on the same shop (the same seed, so the same catalog and
   * visitors): its visits and event ids are drawn apart from run 0's, so its
   * events are new, not replays. Default 0.
   */
  run?: number;
  onProgress?: (phase: 'history' | 'signals' | 'live', done: number, total: number) => void;
}

export interface SimulationReport {
  historyEvents: number;
  liveEvents: number;
  /** Items shown by Recommend in the live visits. */
  shown: number;
  clicks: number;
  conversions: number;
  /** clicks / shown. */
  ctr: number;
  /** Shown items in the visitor's favourite categories / shown. */
  tasteShare: number;
  /** The strategy of the answers (model or heuristic), and how many each. */
  strategies: Record<string, number>;
  /** False when ranking was not seen serving the history's signals within 2 minutes (the live visits ran anyway). */
  signalsServed: boolean;
}

const DEVICE = { mobile: Device.DEVICE_MOBILE, tablet: Device.DEVICE_TABLET, desktop: Device.DEVICE_DESKTOP } as const;
const TYPE = { product_view: EventType.EVENT_TYPE_PRODUCT_VIEW, add_to_cart: EventType.EVENT_TYPE_ADD_TO_CART, purchase: EventType.EVENT_TYPE_PURCHASE } as const;
const DAY = 86_400_000;

type Unary<Req, Res> = (req: Req, md: Metadata, cb: (err: ServiceError | null, res: Res) => void) => unknown;
const call = <Req, Res>(method: Unary<Req, Res>, req: Req, md: Metadata): Promise<Res> =>
  new Promise((resolve, reject) => method(req, md, (err, res) => (err ? reject(err) : resolve(res))));

/** A version 4 UUID from the seeded source: sessions repeat with the seed. */
function uuid(rnd: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(rnd() * 4)]!;
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Runs a simulated shop against the real services: the website and its
 * catalog (UpsertWebsites, UpsertItems), `historyDays` of visits tracked
 * without recommendations (TrackEvents), a wait until ranking serves the
 * signals of that history, then `liveSessions` visits that ask Recommend on
 * every product page and react to it (clicks and purchases by their hidden
 * tastes, sent as RecordOutcome and TrackEvents). Deterministic from the
 * seed up to what Recommend answers.
 */
export async function simulate(c: SimulationClients, o: SimulationOptions): Promise<SimulationReport> {
  const world = makeWorld({ seed: o.seed, items: o.items, users: o.users });
  const run = o.run ?? 0;
  const rnd = seededRandom(o.seed + 1 + run * 7919);
  const md = c.metadata;
  await call(c.profile.upsertWebsites.bind(c.profile), { websites: [{ websiteId: o.websiteId, name: `simulated shop ${o.seed}`, domain: '' }] }, md);
  for (let i = 0; i < world.items.length; i += 1000) {
    const items = world.items.slice(i, i + 1000).map((it) => ({ itemId: it.itemId, itemType: ItemType.ITEM_TYPE_PRODUCT, title: it.itemId, category: it.category, brand: it.brand, price: it.price.toFixed(2) }));
    await call(c.ranking.upsertItems.bind(c.ranking), UpsertItemsRequest.fromPartial({ websiteId: o.websiteId, items }), md);
  }
  const byId = new Map(world.items.map((i) => [i.itemId, i]));
  let serial = 0;
  const track = async (user: SimUser, sessionId: string, events: readonly SimEvent[]) => {
    const batch = events.map((e) =>
      Event.fromPartial({
        eventId: run === 0 ? `sim-${o.seed}-${serial++}` : `sim-${o.seed}-r${run}-${serial++}`,
        userId: user.userId,
        sessionId,
        occurredAt: e.at,
        type: TYPE[e.type],
        itemId: e.itemId,
        // A shop's tracking names the product's category and brand with each event.
        category: byId.get(e.itemId)?.category ?? '',
        brand: byId.get(e.itemId)?.brand ?? '',
        price: e.price.toFixed(2),
        device: DEVICE[user.device],
        ...(e.type === 'purchase' ? { revenue: e.price.toFixed(2), orderId: e.orderId ?? '' } : {}),
      }),
    );
    for (let i = 0; i < batch.length; i += 1000) await call(c.profile.trackEvents.bind(c.profile), { websiteId: o.websiteId, events: batch.slice(i, i + 1000) }, md);
  };

  // History: each visitor's visits over the past days, oldest first across everyone.
  const now = Date.now();
  const visits: { user: SimUser; start: Date }[] = [];
  for (const user of world.users) {
    const count = Math.round((user.sessionsPerWeek * o.historyDays * (0.5 + rnd())) / 7);
    for (let s = 0; s < count; s++) visits.push({ user, start: new Date(now - DAY * o.historyDays * rnd() - 3_600_000) });
  }
  visits.sort((a, b) => a.start.getTime() - b.start.getTime());
  let historyEvents = 0;
  const pending: { user: SimUser; sessionId: string; events: SimEvent[] }[] = [];
  for (const [n, v] of visits.entries()) {
    const sessionId = uuid(rnd);
    const session = await runSession(rnd, world, v.user, v.start, `order-${sessionId}`);
    pending.push({ user: v.user, sessionId, events: session.events });
    historyEvents += session.events.length;
    if (pending.length >= 200 || n === visits.length - 1) {
      for (const p of pending.splice(0)) await track(p.user, p.sessionId, p.events);
      o.onProgress?.('history', n + 1, visits.length);
    }
  }
  o.onProgress?.('signals', 0, 1);
  const served = historyEvents === 0 || (await untilSignalsServed(c.ranking, o.websiteId, new Date(), md));
  o.onProgress?.('signals', 1, 1);

  // Live: visits now, Recommend on every product page.
  const report: SimulationReport = { historyEvents, liveEvents: 0, shown: 0, clicks: 0, conversions: 0, ctr: 0, tasteShare: 0, strategies: {}, signalsServed: served };
  let toTaste = 0;
  for (let s = 0; s < o.liveSessions; s++) {
    const user = world.users[Math.floor(rnd() * world.users.length)]!;
    const sessionId = uuid(rnd);
    const recommend = async (itemId: string) => {
      const res = await call<RecommendRequest, RecommendResponse>(
        c.ranking.recommend.bind(c.ranking),
        RecommendRequest.fromPartial({ websiteId: o.websiteId, userId: user.userId, sessionId, count: o.shown, context: { itemId, pageType: PageType.PAGE_TYPE_PRODUCT, device: DEVICE[user.device] } }),
        md,
      );
      report.strategies[res.strategy] = (report.strategies[res.strategy] ?? 0) + 1;
      return { recommendationId: res.recommendationId, itemIds: res.items.map((i) => i.itemId) };
    };
    // Started minutes ago, so its last events are not in the future.
    const session: SessionResult = await runSession(rnd, world, user, new Date(Date.now() - 10 * 60_000), `order-${sessionId}`, recommend);
    await track(user, sessionId, session.events);
    for (const click of session.clicks) {
      await call(c.ranking.recordOutcome.bind(c.ranking), { target: { $case: 'recommendationId', value: click.recommendationId }, itemId: click.itemId, outcome: Outcome.OUTCOME_CLICK, revenue: '', occurredAt: undefined }, md);
    }
    for (const conv of session.conversions) {
      await call(c.ranking.recordOutcome.bind(c.ranking), { target: { $case: 'recommendationId', value: conv.recommendationId }, itemId: conv.itemId, outcome: Outcome.OUTCOME_CONVERSION, revenue: conv.revenue.toFixed(2), occurredAt: undefined }, md);
    }
    report.liveEvents += session.events.length;
    report.shown += session.shown;
    report.clicks += session.clicks.length;
    report.conversions += session.conversions.length;
    toTaste += session.shownToTaste;
    o.onProgress?.('live', s + 1, o.liveSessions);
  }
  report.ctr = report.shown > 0 ? report.clicks / report.shown : 0;
  report.tasteShare = report.shown > 0 ? toTaste / report.shown : 0;
  return report;
}
