import { Histogram, type Registry } from 'prom-client';
import type { GetItemSignalsRequest, GetItemSignalsResponse, ItemSignal } from '@recsys/contracts/profile';
import { BOUGHT_TOGETHER_PER_ITEM } from '@recsys/features';
import type { Clock } from './clock';
import { validateWebsiteId } from './events/validate-events';
import type { ProfileStore } from './store/profile-store';
import { mergeDelta, signalsFromRows, type PairRow, type PopularityRow, type SegmentRow, type SignalLimits, type SignalRows } from './item-signal-merge';
import { DELTA_BOUGHT_TOGETHER, DELTA_CO_VISITATION, DELTA_NEXT_ITEMS, DELTA_POPULARITY, DELTA_SEGMENT_POPULARITY } from './store/item-signal-deltas-sql';
import { ITEM_BOUGHT_TOGETHER, ITEM_CO_VISITATION, ITEM_NEXT_ITEMS, ITEM_POPULARITY, ITEM_SEGMENT_POPULARITY } from './store/item-signals-sql';

export interface ItemSignalsOptions {
  /** Decay half-life of an interaction, days. */
  halfLifeDays: number;
  /** How long a website's full computation is used (with deltas) before it is computed again. */
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
/**
 * A full computation covers the interactions up to this long before it
 * starts; the deltas read everything after that again each time, so events
 * that arrive up to this late (queued by a client, an import that follows
 * Umami) are still counted by the next delta rather than only by the next full
 * computation.
 */
export const LATE_MS = 10 * 60_000;
/** A delta is computed for a request when the answer is at least this old (callers in the meantime share it). */
export const DELTA_EVERY_MS = 1_000;
/** While a full computation of the website runs, a delta only for an answer at least this old. */
export const DELTA_BESIDE_FULL_MS = 10_000;
/** No delta over a longer stretch (full computations failing): the answer stays as it is until one succeeds. */
export const MAX_DELTA_SPAN_MS = 86_400_000;

interface Computed {
  version: string;
  computedAt: Date;
  items: ItemSignal[];
}

/** The statements after popularity, of the full computation or of the delta (`prefix` names their histogram parts). */
interface PairStatements {
  prefix: string;
  co: string;
  next: string;
  baskets: string;
  segments: string;
}

/**
 * One website: its last full computation and the answer served (it plus the
 * last delta). The full computation's `computedAt` is its cut-off: it covers
 * the interactions up to then, decayed to then.
 */
interface State {
  full: Computed & { websiteId: string };
  /** When the full computation ended, and how long it took (the pacing). */
  fullAt: number;
  tookMs: number;
  current: Computed;
  /** The last delta's row count (DELTA_POPULARITY's n): the same count, nothing new. */
  deltaRows: number;
}

/**
 * GetItemSignals: a website's item signals from the interaction log.
 *
 * A full computation reads all retained history, so it is costly on a large
 * log: it runs at most once per `ttlMs` and not again before PACE times its
 * own duration, in the background once there is a first one (concurrent
 * callers share it). Between two, a delta brings it up to date for a request
 * whose answer is older than DELTA_EVERY_MS: five statements over the
 * interactions after the full computation's cut-off only (a few minutes of
 * traffic through the primary key), merged into it (item-signal-merge.ts).
 * So new behaviour shows in the next answer whatever the size of the log.
 * Never on anyone's request path but ranking's refresh.
 */
export class ItemSignals {
  private readonly states = new Map<string, State>();
  private readonly seconds: Histogram<'part'> | undefined;
  /** Each website's full computation in progress, and its cut-off. */
  private readonly running = new Map<string, { state: Promise<State>; cutoff: number }>();
  private readonly deltas = new Map<string, Promise<void>>();
  /**
   * Per website, TrackEvents batches with events dated before the newest
   * full computation's cut-off, which no delta reads: `since`, the earliest
   * such commit no full computation has covered yet (a lower bound), and
   * `last`, the latest. Answers say they are computed no later than `since`.
   */
  private readonly late = new Map<string, { since: number; last: number }>();
  private readonly limits: SignalLimits;
  private sequence = 0;

  constructor(
    private readonly store: ProfileStore,
    private readonly clock: Clock,
    private readonly options: ItemSignalsOptions,
    registry?: Registry,
  ) {
    this.limits = { maxItems: options.maxItems, neighbours: options.neighbours, nextItems: NEXT_ITEMS, boughtTogether: BOUGHT_TOGETHER_PER_ITEM };
    this.seconds =
      registry &&
      new Histogram({
        name: 'profile_item_signals_seconds',
        help: 'Time of each statement of an item-signal computation per website: the full one (popularity, co_visitation, next_items, bought_together, segments) and the delta (delta_popularity, delta_co_visitation, ...).',
        labelNames: ['part'],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
        registers: [registry],
      });
  }

  async get(request: GetItemSignalsRequest): Promise<GetItemSignalsResponse> {
    const websiteId = validateWebsiteId(request.websiteId);
    let state = this.states.get(websiteId);
    if (!state) {
      state = await this.fullOnce(websiteId);
    } else {
      // Expired: computed anew in the background, so a slow computation (a large log) never makes callers wait
      // or time out once there is a first result; the delta keeps the answer current meanwhile.
      const wait = Math.max(this.options.ttlMs, PACE * state.tookMs);
      if (this.clock.now().getTime() - state.fullAt >= wait) void this.fullOnce(websiteId).catch(() => undefined);
      // Not alongside a full computation of the same website (two of its statements at once on a small
      // machine), unless that one is slow (a large log) and the answer older than DELTA_BESIDE_FULL_MS.
      const age = this.clock.now().getTime() - state.current.computedAt.getTime();
      if (age >= (this.running.has(websiteId) ? DELTA_BESIDE_FULL_MS : DELTA_EVERY_MS)) {
        // A failed delta leaves the last answer in place: it is served as it is, like an expired one.
        await this.deltaOnce(websiteId).catch(() => undefined);
        state = this.states.get(websiteId) ?? state;
      }
    }
    const computed = this.answered(websiteId, state.current);
    if (request.knownVersion && request.knownVersion === computed.version) {
      return { version: computed.version, unchanged: true, items: [], computedAt: computed.computedAt };
    }
    return { version: computed.version, unchanged: false, items: computed.items, computedAt: computed.computedAt };
  }

  /**
   * TrackEvents committed events about items on `websiteId`, the earliest
   * dated `earliest`. Those dated before the cut-off of the newest full
   * computation (done or running) are counted by the next one only, so until
   * it ends answers keep `computed_at` before the batch started: a caller waiting
   * for `computed_at` to pass a load of history waits for them. Only this
   * process's TrackEvents are seen (docs/profiles.md).
   */
  noteTracked(websiteId: string, earliest: Date, batchStarted: Date): void {
    const cutoff = Math.max(this.running.get(websiteId)?.cutoff ?? -Infinity, this.states.get(websiteId)?.full.computedAt.getTime() ?? -Infinity);
    if (earliest.getTime() > cutoff) return;
    // Committed after the batch started and before now: answers claim no later than just before the start.
    const now = this.clock.now().getTime();
    const entry = this.late.get(websiteId);
    if (entry) entry.last = now;
    else this.late.set(websiteId, { since: batchStarted.getTime() - 1, last: now });
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

  private timed<T>(part: string, run: () => Promise<T>): Promise<T> {
    const end = this.seconds?.startTimer({ part });
    return run().finally(() => end?.());
  }

  /** The five statements of a computation, one after another: a background job should not take several of the pool's connections. */
  private async rows(sqls: PairStatements, params: unknown[], items: string[] | undefined, popularity: PopularityRow[]): Promise<SignalRows> {
    const { prefix } = sqls;
    const ofItems = <T extends object>(part: string, sql: string, perItem: number, ...more: unknown[]) =>
      popularity.length === 0
        ? Promise.resolve([] as T[])
        : this.timed(prefix + part, () => this.store.query<T>(sql, [...params, ...(items ? [items] : []), perItem, ...more], `item-signals-${prefix}${part}`));
    const coVisitation = await ofItems<PairRow>('co_visitation', sqls.co, this.options.neighbours, ...(items ? [this.options.pairBudget] : []));
    const nextItems = await ofItems<PairRow>('next_items', sqls.next, NEXT_ITEMS);
    const boughtTogether = await ofItems<PairRow>('bought_together', sqls.baskets, BOUGHT_TOGETHER_PER_ITEM);
    const segments = await ofItems<SegmentRow>('segments', sqls.segments, PER_SEGMENT);
    return { popularity, coVisitation, nextItems, boughtTogether, segments };
  }

  /** One full computation per website at a time; callers arriving meanwhile share it. */
  private fullOnce(websiteId: string): Promise<State> {
    const running = this.running.get(websiteId);
    if (running) return running.state;
    const started = this.clock.now();
    const cutoff = new Date(started.getTime() - LATE_MS);
    const state = this.full(websiteId, started, cutoff).finally(() => this.running.delete(websiteId));
    this.running.set(websiteId, { state, cutoff: cutoff.getTime() });
    return state;
  }

  private async full(websiteId: string, started: Date, cutoff: Date): Promise<State> {
    await this.store.forWebsite(websiteId).requireExists();
    const { halfLifeDays, maxItems } = this.options;
    const params = [websiteId, cutoff.toISOString(), halfLifeDays];
    const popularity = await this.timed('popularity', () => this.store.query<PopularityRow>(ITEM_POPULARITY, [...params, maxItems], 'item-signals-popularity'));
    const sqls = { prefix: '', co: ITEM_CO_VISITATION, next: ITEM_NEXT_ITEMS, baskets: ITEM_BOUGHT_TOGETHER, segments: ITEM_SEGMENT_POPULARITY };
    const rows = await this.rows(sqls, params, popularity.map((p) => p.item_id), popularity);
    const full = { websiteId, version: this.nextVersion(cutoff), computedAt: cutoff, items: await signalsFromRows(rows) };
    // Fresh from when it is ready, not from when it started: a computation longer than the TTL still serves.
    const ended = this.clock.now().getTime();
    const state: State = { full, fullAt: ended, tookMs: ended - started.getTime(), current: full, deltaRows: -1 };
    // The first answer is brought up to now before anyone sees it; a later one replaces the last only once it is.
    // Without its delta (the database failed meanwhile) it is still an answer, as of its cut-off.
    await this.delta(state).catch(() => undefined);
    this.states.set(websiteId, state);
    // Late events committed before this computation started are in it; later ones are not (a lower bound).
    // Only now that it is the answer: until then answers still came from the one before.
    const late = this.late.get(websiteId);
    if (late && late.last < started.getTime()) this.late.delete(websiteId);
    else if (late) late.since = Math.max(late.since, started.getTime());
    return state;
  }

  private deltaOnce(websiteId: string): Promise<void> {
    let running = this.deltas.get(websiteId);
    if (!running) {
      const state = this.states.get(websiteId);
      if (!state) return Promise.resolve();
      running = this.delta(state).finally(() => this.deltas.delete(websiteId));
      this.deltas.set(websiteId, running);
    }
    return running;
  }

  /** Brings `state.current` up to now from its full computation and what happened after the cut-off. */
  private async delta(state: State): Promise<void> {
    const now = this.clock.now();
    const { computedAt: cutoff, websiteId } = state.full;
    if (now.getTime() - cutoff.getTime() > MAX_DELTA_SPAN_MS) return;
    const { halfLifeDays } = this.options;
    const params = [websiteId, now.toISOString(), halfLifeDays, cutoff.toISOString()];
    const popularity = await this.timed('delta_popularity', () => this.store.query<PopularityRow & { n: number }>(DELTA_POPULARITY, params, 'item-signals-delta-popularity'));
    const n = popularity.reduce((sum, p) => sum + Number(p.n), 0);
    if (n === state.deltaRows) return; // nothing new: the same answer, the same version
    const sqls = { prefix: 'delta_', co: DELTA_CO_VISITATION, next: DELTA_NEXT_ITEMS, baskets: DELTA_BOUGHT_TOGETHER, segments: DELTA_SEGMENT_POPULARITY };
    const rows = await this.rows(sqls, params, undefined, popularity);
    const factor = 0.5 ** ((now.getTime() - cutoff.getTime()) / (halfLifeDays * 86_400_000));
    state.current = { version: this.nextVersion(now), computedAt: now, items: await mergeDelta(state.full.items, factor, rows, this.limits) };
    state.deltaRows = n;
  }

  /** `computed` as answered: computed_at no later than the first late commit not yet covered. */
  private answered(websiteId: string, computed: Computed): Computed {
    const late = this.late.get(websiteId);
    return late && late.since < computed.computedAt.getTime() ? { ...computed, computedAt: new Date(late.since) } : computed;
  }

  private nextVersion(at: Date): string {
    return `${at.getTime().toString(36)}-${(++this.sequence).toString(36)}`;
  }
}
