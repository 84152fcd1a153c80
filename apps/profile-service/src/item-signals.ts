import { Histogram, type Registry } from 'prom-client';
import type { GetItemSignalsRequest, GetItemSignalsResponse, ItemSignal } from '@recsys/contracts/profile';
import { BOUGHT_TOGETHER_PER_ITEM } from '@recsys/features';
import type { Clock } from './clock';
import { validateWebsiteId } from './events/validate-events';
import type { ProfileStore } from './store/profile-store';
import { ITEM_BOUGHT_TOGETHER, ITEM_CO_VISITATION, ITEM_NEXT_ITEMS, ITEM_POPULARITY, ITEM_SEGMENT_POPULARITY } from './store/item-signals-sql';

export interface ItemSignalsOptions {
  /** Decay half-life of an interaction, days. */
  halfLifeDays: number;
  /** How long a website's computed signals are served before they are computed again. */
  ttlMs: number;
  /** Items per answer, the most popular first. */
  maxItems: number;
  /** Co-visited neighbours per item. */
  neighbours: number;
  /** At most this many visitor item pairs per co-visitation computation (the most recent visitors'). */
  pairBudget: number;
}

/** Next items per item (ItemSignal.next_items). */
const NEXT_ITEMS = 10;
/** Items per segment that carry a segment popularity (ItemSignal.segment_popularity). */
const PER_SEGMENT = 200;
/**
 * A computation that took d ms is not started again before PACE × d ms have
 * passed (nor before the TTL): on a large log the job then takes at most
 * 1 / PACE of one PostgreSQL backend per website, instead of running back to
 * back (10 million interactions take minutes; docs/profiles.md).
 */
export const PACE = 4;
/** Items per StreamItemSignals part (the contract's promise). */
export const ITEMS_PER_PART = 200;

interface Computed {
  version: string;
  computedAt: Date;
  items: ItemSignal[];
}

/**
 * GetItemSignals: a website's item signals from the interaction log, computed
 * at most once per `ttlMs` (concurrent callers share one computation), so the
 * cost is five bounded statements per website per interval whatever the number
 * of callers, and never on anyone's request path but ranking's refresh. Only
 * a website's first computation is waited for; after that an expired result
 * is answered at once while the next one is computed in the background.
 */
export class ItemSignals {
  private readonly cache = new Map<string, { computed: Computed; at: number; tookMs: number }>();
  private readonly seconds: Histogram<'part'> | undefined;
  private readonly running = new Map<string, Promise<Computed>>();
  private sequence = 0;

  constructor(
    private readonly store: ProfileStore,
    private readonly clock: Clock,
    private readonly options: ItemSignalsOptions,
    registry?: Registry,
  ) {
    this.seconds =
      registry &&
      new Histogram({
        name: 'profile_item_signals_seconds',
        help: 'Time of each statement of an item-signal computation (popularity, co_visitation, next_items, bought_together, segments), per website computation.',
        labelNames: ['part'],
        buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
        registers: [registry],
      });
  }

  async get(request: GetItemSignalsRequest): Promise<GetItemSignalsResponse> {
    const websiteId = validateWebsiteId(request.websiteId);
    const cached = this.cache.get(websiteId);
    let computed: Computed;
    if (!cached) {
      computed = await this.computeOnce(websiteId);
    } else {
      computed = cached.computed;
      // Expired: answer with what there is and compute anew in the background, so a slow computation
      // (a large log) never makes callers wait or time out once there is a first result.
      const wait = Math.max(this.options.ttlMs, PACE * cached.tookMs);
      if (this.clock.now().getTime() - cached.at >= wait) void this.computeOnce(websiteId).catch(() => undefined);
    }
    if (request.knownVersion && request.knownVersion === computed.version) {
      return { version: computed.version, unchanged: true, items: [], computedAt: computed.computedAt };
    }
    return { version: computed.version, unchanged: false, items: computed.items, computedAt: computed.computedAt };
  }

  /** The same answer as `get`, in parts of at most ITEMS_PER_PART items (StreamItemSignals). */
  async *stream(request: GetItemSignalsRequest): AsyncIterable<GetItemSignalsResponse> {
    const answer = await this.get(request);
    if (answer.items.length === 0) {
      yield answer;
      return;
    }
    for (let i = 0; i < answer.items.length; i += ITEMS_PER_PART) {
      yield { ...answer, items: answer.items.slice(i, i + ITEMS_PER_PART) };
    }
  }

  /** One computation per website at a time; callers arriving meanwhile share it. */
  private computeOnce(websiteId: string): Promise<Computed> {
    let running = this.running.get(websiteId);
    if (!running) {
      running = this.compute(websiteId, this.clock.now()).finally(() => this.running.delete(websiteId));
      this.running.set(websiteId, running);
    }
    return running;
  }

  private async compute(websiteId: string, now: Date): Promise<Computed> {
    await this.store.forWebsite(websiteId).requireExists();
    const { halfLifeDays, maxItems, neighbours } = this.options;
    type Row = { item_id: string; popularity: number; views: number; carts: number; purchases: number; popularity_1d: number; popularity_7d: number };
    const started = this.clock.now().getTime();
    const timed = async <T>(part: string, run: () => Promise<T>): Promise<T> => {
      const end = this.seconds?.startTimer({ part });
      try {
        return await run();
      } finally {
        end?.();
      }
    };
    const popular = await timed('popularity', () => this.store.query<Row>(ITEM_POPULARITY, [websiteId, now.toISOString(), halfLifeDays, maxItems], 'item-signals-popularity'));
    type Pair = { item: string; neighbour: string; weight: number };
    const ids = popular.map((p) => p.item_id);
    const ofItems = <T extends object>(part: string, sql: string, perItem: number, ...more: unknown[]) =>
      popular.length === 0
        ? Promise.resolve([] as T[])
        : timed(part, () => this.store.query<T>(sql, [websiteId, now.toISOString(), halfLifeDays, ids, perItem, ...more], `item-signals-${part}`));
    // One after another, not in parallel: a background job should not take several of the pool's connections.
    const pairs = await ofItems<Pair>('co_visitation', ITEM_CO_VISITATION, neighbours, this.options.pairBudget);
    const steps = await ofItems<Pair>('next_items', ITEM_NEXT_ITEMS, NEXT_ITEMS);
    const baskets = await ofItems<Pair>('bought_together', ITEM_BOUGHT_TOGETHER, BOUGHT_TOGETHER_PER_ITEM);
    const segments = await ofItems<{ segment: string; item_id: string; p: number }>('segments', ITEM_SEGMENT_POPULARITY, PER_SEGMENT);
    const byItem = new Map<string, ItemSignal>();
    const items = popular.map((p): ItemSignal => {
      const signal: ItemSignal = {
        itemId: p.item_id,
        popularity: Number(p.popularity),
        views: Number(p.views),
        carts: Number(p.carts),
        purchases: Number(p.purchases),
        coVisited: [],
        nextItems: [],
        popularity1d: Number(p.popularity_1d),
        popularity7d: Number(p.popularity_7d),
        boughtTogether: [],
        segmentPopularity: {},
      };
      byItem.set(p.item_id, signal);
      return signal;
    });
    for (const pair of pairs) byItem.get(pair.item)?.coVisited.push({ itemId: pair.neighbour, weight: Number(pair.weight) });
    for (const step of steps) byItem.get(step.item)?.nextItems.push({ itemId: step.neighbour, weight: Number(step.weight) });
    for (const pair of baskets) byItem.get(pair.item)?.boughtTogether.push({ itemId: pair.neighbour, weight: Number(pair.weight) });
    for (const s of segments) {
      const item = byItem.get(s.item_id);
      if (item) item.segmentPopularity[s.segment] = Number(s.p);
    }
    const computed = { version: `${now.getTime().toString(36)}-${(++this.sequence).toString(36)}`, computedAt: now, items };
    // Fresh from when it is ready, not from when it started: a computation longer than the TTL still serves.
    this.cache.set(websiteId, { computed, at: this.clock.now().getTime(), tookMs: this.clock.now().getTime() - started });
    return computed;
  }
}
