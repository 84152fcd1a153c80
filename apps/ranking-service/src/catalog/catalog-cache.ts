import { NotFoundError, PeriodicTask, type Logger } from '@recsys/service-kit';
import { Histogram, type Registry } from 'prom-client';
import type { BehaviourRepository, ItemStats, Pair, SegmentPopularity } from './behaviour-repository';
import type { CatalogRepository, CatalogRow } from './catalog-repository';
import { WebsiteSnapshot, type Behaviour, type BehaviourSignal } from './website-snapshot';

/**
 * Where behaviour signals come from (profile-service's GetItemSignals): the
 * signals newer than `knownVersion`, `'unchanged'`, or undefined when they
 * could not be had (the last copy then keeps serving, flagged stale).
 */
export type BehaviourSource = (
  websiteId: string,
  knownVersion: string,
) => Promise<{ version: string; signals: readonly BehaviourSignal[]; computedAt?: Date } | 'unchanged' | undefined>;

export interface CatalogCacheOptions {
  /** How often loaded websites are checked for catalog changes (0 = never). */
  refreshIntervalMs: number;
  /** How old the log aggregates (popularity, co-visitation…) may get before a refresh re-reads them. */
  behaviourMaxAgeMs: number;
}

/** What a snapshot was built from, kept so a refresh re-reads only what changed. */
interface Sources {
  catalogVersion: string;
  rows: CatalogRow[];
  behaviour: LogBehaviour;
  /** The interaction log's signals and their version ('' = none yet). */
  signals: { version: string; behaviour: Behaviour };
}

/** What the recommendations log says (BehaviourRepository). */
interface LogBehaviour {
  stats: Map<string, ItemStats>;
  co: Pair[];
  next: Pair[];
  segments: SegmentPopularity[];
  purchases: Map<string, Set<string>>;
  readAt: Date;
}

/** How long "this website does not exist" is believed before asking again. */
const UNKNOWN_WEBSITE_TTL_MS = 5_000;
type Signals = Sources['signals'];
/** No interaction-log signals (yet, or ever without a BehaviourSource). */
const NO_SIGNALS: Signals = { version: '', behaviour: { signals: [], stale: false } };
/** The same signals flagged `stale` (or not): the same object when the flag already matches, so nothing is rebuilt. */
const flagged = (s: Signals, stale: boolean): Signals =>
  s.behaviour.stale === stale ? s : { version: s.version, behaviour: { ...s.behaviour, stale } };

/** The longest a caller's first load of a website waits for the interaction log's signals. */
const FIRST_LOAD_SIGNALS_MS = 1_000;
/** How soon a website whose first load failed is tried again. */
const INCOMPLETE_RETRY_MS = 1_000;

/**
 * Per-website snapshots of catalog + behaviour, kept in memory. The first call
 * for a website waits for its load (once: concurrent callers share it); after
 * that calls read the current snapshot synchronously and a timer refreshes it
 * in the background, so the Recommend path makes no database call in the
 * steady state. When the database is down, the last snapshot keeps serving (or
 * an empty one for a website never loaded: answers then use caller candidates).
 *
 * The refresh re-reads only what changed: the catalog when its fingerprint
 * (CatalogRepository.catalogVersion) moved, the log aggregates once they are
 * `behaviourMaxAgeMs` old; with neither, the snapshot is kept as it is. The
 * aggregates scan the whole 30-day log, so reading them every refresh kept
 * PostgreSQL busy for ~1 s of every 30 s and built a new snapshot each time
 * (BENCHMARKS.md). A snapshot is built in steps that let calls through
 * (WebsiteSnapshot.build), so a large catalog's build does not stall them.
 */
export class CatalogCache {
  private readonly snapshots = new Map<string, WebsiteSnapshot>();
  private readonly loading = new Map<string, Promise<WebsiteSnapshot>>();
  private readonly unknown = new Map<string, number>();
  private readonly sources = new Map<string, Sources>();
  /** Loads are numbered as they start; per website, the number of the load whose snapshot is published. */
  private loads = 0;
  private readonly published = new Map<string, number>();
  private readonly task: PeriodicTask;
  private refreshing: Promise<void> | undefined;
  private readonly readSeconds: Histogram<'aggregate'>;

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly behaviour: BehaviourRepository,
    private readonly logger: Logger,
    private readonly options: CatalogCacheOptions,
    registry?: Registry,
    /** The interaction log's item signals; none = the recommendations log alone. */
    private readonly behaviourSource?: BehaviourSource,
  ) {
    // What each log aggregate costs PostgreSQL per read (npm run bench:aggregates reads it).
    this.readSeconds = new Histogram({
      name: 'ranking_behaviour_read_seconds',
      help: 'Time to read one log aggregate of a website (item_stats, co_visitation, next_items, segment_popularity, purchases).',
      labelNames: ['aggregate'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: registry ? [registry] : [],
    });
    this.task = new PeriodicTask('catalog refresh', options.refreshIntervalMs, () => this.refreshAll(), logger);
    this.task.start();
  }

  /** The website's snapshot; NotFoundError when the database says the website does not exist. */
  async get(websiteId: string): Promise<WebsiteSnapshot> {
    const current = this.snapshots.get(websiteId);
    if (current) {
      // A stand-in built while the database was down: retry soon, in the background.
      if (!current.complete && Date.now() - current.builtAt.getTime() > INCOMPLETE_RETRY_MS && !this.loading.has(websiteId)) {
        const retry = this.load(websiteId).catch(() => undefined).finally(() => this.loading.delete(websiteId));
        this.loading.set(websiteId, retry as Promise<WebsiteSnapshot>);
      }
      return current;
    }
    const until = this.unknown.get(websiteId);
    if (until !== undefined && until > Date.now()) throw new NotFoundError(`website_id: website ${websiteId} does not exist`);
    let pending = this.loading.get(websiteId);
    if (!pending) {
      pending = this.load(websiteId).finally(() => this.loading.delete(websiteId));
      this.loading.set(websiteId, pending);
    }
    return pending;
  }

  /** Re-reads one website's catalog now (after UpsertItems, so the writer's next call sees its items). */
  async refresh(websiteId: string): Promise<void> {
    this.unknown.delete(websiteId);
    // The writer waits for this: the signals it had serve; the next background refresh asks for new ones.
    if (this.snapshots.has(websiteId)) await this.load(websiteId, false, 'reuse');
  }

  /**
   * `signals`: how long the interaction log's signals may hold the load up — a
   * background refresh waits for them (`wait`); a caller's first load waits at
   * most FIRST_LOAD_SIGNALS_MS and otherwise builds without them (`short`; the
   * next refresh brings them); a refresh after UpsertItems keeps the ones it
   * had (`reuse`); given signals are built in as they are.
   */
  private async load(websiteId: string, background = false, signalsWait: 'wait' | 'short' | 'reuse' | Signals = 'short'): Promise<WebsiteSnapshot> {
    let snapshot: WebsiteSnapshot;
    const started = ++this.loads;
    try {
      if (!(await this.catalog.websiteExists(websiteId))) {
        // Bounded: callers sending random website ids must not grow memory without limit.
        if (this.unknown.size >= 10_000) this.unknown.clear();
        this.unknown.set(websiteId, Date.now() + UNKNOWN_WEBSITE_TTL_MS);
        this.snapshots.delete(websiteId);
        this.sources.delete(websiteId);
        this.published.delete(websiteId);
        throw new NotFoundError(`website_id: website ${websiteId} does not exist`);
      }
      this.unknown.delete(websiteId);
      const previous = this.sources.get(websiteId);
      const catalogVersion = await this.catalog.catalogVersion(websiteId);
      const catalogSame = previous?.catalogVersion === catalogVersion;
      const behaviourFresh = previous !== undefined && Date.now() - previous.behaviour.readAt.getTime() < this.options.behaviourMaxAgeMs;
      const current = this.snapshots.get(websiteId);
      const signals =
        signalsWait === 'reuse'
          ? (previous?.signals ?? NO_SIGNALS)
          : signalsWait === 'wait'
            ? await this.readSignals(websiteId, previous?.signals)
            : typeof signalsWait === 'object'
            ? signalsWait
            : await this.signalsWithin(websiteId, previous?.signals);
      const signalsSame = signals === previous?.signals;
      if (catalogSame && behaviourFresh && signalsSame && current?.complete) return current;
      const readRows = () => (catalogSame ? Promise.resolve(previous!.rows) : this.catalog.itemsOf(websiteId));
      const readBehaviour = () => (behaviourFresh ? Promise.resolve(previous!.behaviour) : this.readBehaviour(websiteId, background));
      // In the background one read after another (see readBehaviour); a waiting caller gets them at once.
      const [rows, behaviour] = background ? [await readRows(), await readBehaviour()] : await Promise.all([readRows(), readBehaviour()]);
      const b = behaviour;
      snapshot = await WebsiteSnapshot.build({ websiteId, rows, stats: b.stats, coVisitation: b.co, nextItems: b.next, segments: b.segments, purchases: b.purchases, builtAt: b.readAt, behaviour: signals.behaviour });
      // A load that began before another one has finished after it (the build yields): the newer stays.
      if ((this.published.get(websiteId) ?? 0) > started) return this.snapshots.get(websiteId) ?? snapshot;
      this.published.set(websiteId, started);
      this.sources.set(websiteId, { catalogVersion, rows, behaviour, signals });
    } catch (err) {
      if (err instanceof NotFoundError) throw err;
      const previous = this.snapshots.get(websiteId);
      this.logger.warn({ err, websiteId }, 'catalog: could not read the database; serving the last snapshot');
      if (previous?.complete) return previous;
      // Stored so calls do not each wait for a dead database; get() retries it in the background.
      const empty = WebsiteSnapshot.empty(websiteId);
      this.snapshots.set(websiteId, empty);
      return empty;
    }
    this.snapshots.set(websiteId, snapshot);
    return snapshot;
  }

  /**
   * The signals if they come within FIRST_LOAD_SIGNALS_MS, else the previous
   * ones; the late answer is then built in as soon as it arrives rather than
   * at the next refresh (after a bulk import, profile-service's first
   * computation can take seconds, and CATALOG_REFRESH_INTERVAL_MS more would
   * serve the import's first minute without what it taught).
   */
  private async signalsWithin(websiteId: string, previous: Signals | undefined): Promise<Signals> {
    const fresh = this.readSignals(websiteId, previous);
    let late = false;
    const signals = await Promise.race([
      fresh,
      new Promise<Signals>((resolve) =>
        setTimeout(() => {
          late = true;
          resolve(previous ?? NO_SIGNALS);
        }, FIRST_LOAD_SIGNALS_MS).unref(),
      ),
    ]);
    if (late) {
      void fresh
        .then((arrived) => (arrived.version !== (previous?.version ?? '') ? this.load(websiteId, true, arrived) : undefined))
        .catch(() => undefined);
    }
    return signals;
  }

  /**
   * The interaction log's signals: new ones when they changed, the previous
   * object when not (so an unchanged refresh rebuilds nothing), the previous
   * ones flagged stale when profile-service could not be asked.
   */
  private async readSignals(websiteId: string, previous: Signals | undefined): Promise<Signals> {
    if (!this.behaviourSource) return previous ?? NO_SIGNALS;
    const answer = await this.behaviourSource(websiteId, previous?.version ?? '');
    if (answer === 'unchanged') return flagged(previous ?? NO_SIGNALS, false);
    if (answer === undefined) return flagged(previous ?? NO_SIGNALS, true);
    return { version: answer.version, behaviour: { signals: answer.signals, stale: false, computedAt: answer.computedAt } };
  }

  /**
   * The log aggregates. A caller waiting (first load, after UpsertItems): the
   * five reads at once. The periodic background refresh: one after another, so
   * PostgreSQL aggregating the log takes one core at most, not every core the
   * service needs to keep answering (BENCHMARKS.md: a parallel refresh during the
   * open-loop run was the p99 tail).
   */
  private async readBehaviour(websiteId: string, oneByOne: boolean): Promise<LogBehaviour> {
    const readAt = new Date();
    const timed =
      <T>(aggregate: string, read: () => Promise<T>) =>
      async (): Promise<T> => {
        const end = this.readSeconds.startTimer({ aggregate });
        const result = await read();
        end();
        return result;
      };
    const reads = [
      timed('item_stats', () => this.behaviour.itemStats(websiteId)),
      timed('co_visitation', () => this.behaviour.coVisitation(websiteId)),
      timed('next_items', () => this.behaviour.nextItems(websiteId)),
      timed('segment_popularity', () => this.behaviour.segmentPopularity(websiteId)),
      timed('purchases', () => this.behaviour.purchases(websiteId)),
    ] as const;
    const [stats, co, next, segments, purchases] = oneByOne
      ? [await reads[0](), await reads[1](), await reads[2](), await reads[3](), await reads[4]()]
      : await Promise.all([reads[0](), reads[1](), reads[2](), reads[3](), reads[4]()]);
    return { stats, co, next, segments, purchases, readAt };
  }

  /** One background pass over every loaded website, never two at once. */
  refreshAll(): Promise<void> {
    this.refreshing ??= (async () => {
      for (const websiteId of [...this.snapshots.keys()]) {
        await this.load(websiteId, true, 'wait').catch(() => undefined);
      }
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  async close(): Promise<void> {
    await this.task.stop();
    await this.refreshing;
  }
}
