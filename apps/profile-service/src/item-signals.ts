import type { GetItemSignalsRequest, GetItemSignalsResponse, ItemSignal } from '@recsys/contracts/profile';
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
}

/** Next items per item (ItemSignal.next_items), and items bought together (bought_together). */
const NEXT_ITEMS = 10;
/** Items per segment that carry a segment popularity (ItemSignal.segment_popularity). */
const PER_SEGMENT = 200;
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
  private readonly cache = new Map<string, { computed: Computed; at: number }>();
  private readonly running = new Map<string, Promise<Computed>>();
  private sequence = 0;

  constructor(
    private readonly store: ProfileStore,
    private readonly clock: Clock,
    private readonly options: ItemSignalsOptions,
  ) {}

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
      if (this.clock.now().getTime() - cached.at >= this.options.ttlMs) void this.computeOnce(websiteId).catch(() => undefined);
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
    const popular = await this.store.query<Row>(ITEM_POPULARITY, [websiteId, now.toISOString(), halfLifeDays, maxItems], 'item-signals-popularity');
    type Pair = { item: string; neighbour: string; weight: number };
    const ids = popular.map((p) => p.item_id);
    const ofItems = <T extends object>(sql: string, name: string, perItem: number) =>
      popular.length === 0 ? Promise.resolve([] as T[]) : this.store.query<T>(sql, [websiteId, now.toISOString(), halfLifeDays, ids, perItem], name);
    // One after another, not in parallel: a background job should not take several of the pool's connections.
    const pairs = await ofItems<Pair>(ITEM_CO_VISITATION, 'item-signals-co-visitation', neighbours);
    const steps = await ofItems<Pair>(ITEM_NEXT_ITEMS, 'item-signals-next-items', NEXT_ITEMS);
    const baskets = await ofItems<Pair>(ITEM_BOUGHT_TOGETHER, 'item-signals-bought-together', NEXT_ITEMS);
    const segments = await ofItems<{ segment: string; item_id: string; p: number }>(ITEM_SEGMENT_POPULARITY, 'item-signals-segments', PER_SEGMENT);
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
    this.cache.set(websiteId, { computed, at: this.clock.now().getTime() });
    return computed;
  }
}
