import { NotFoundError, type Logger } from '@recsys/service-kit';
import type { BehaviourRepository } from './behaviour-repository';
import type { CatalogRepository } from './catalog-repository';
import { WebsiteSnapshot } from './website-snapshot';

/** How long "this website does not exist" is believed before asking again. */
const UNKNOWN_WEBSITE_TTL_MS = 5_000;
/** How soon a website whose first load failed is tried again. */
const INCOMPLETE_RETRY_MS = 1_000;

/**
 * Per-website snapshots of catalog + behaviour, kept in memory. The first call
 * for a website waits for its load (once: concurrent callers share it); after
 * that calls read the current snapshot synchronously and a timer rebuilds it
 * in the background, so the Recommend path makes no database call in the
 * steady state. When the database is down, the last snapshot keeps serving (or
 * an empty one for a website never loaded: answers then use caller candidates).
 */
export class CatalogCache {
  private readonly snapshots = new Map<string, WebsiteSnapshot>();
  private readonly loading = new Map<string, Promise<WebsiteSnapshot>>();
  private readonly unknown = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly behaviour: BehaviourRepository,
    private readonly logger: Logger,
    private readonly refreshIntervalMs: number,
  ) {
    if (refreshIntervalMs > 0) {
      this.timer = setInterval(() => void this.refreshAll(), refreshIntervalMs);
      this.timer.unref();
    }
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

  /** Rebuilds one website now (after UpsertItems, so the writer's next call sees its items). */
  async refresh(websiteId: string): Promise<void> {
    this.unknown.delete(websiteId);
    if (this.snapshots.has(websiteId)) await this.load(websiteId);
  }

  private async load(websiteId: string, background = false): Promise<WebsiteSnapshot> {
    let snapshot: WebsiteSnapshot;
    try {
      if (!(await this.catalog.websiteExists(websiteId))) {
        // Bounded: callers sending random website ids must not grow memory without limit.
        if (this.unknown.size >= 10_000) this.unknown.clear();
        this.unknown.set(websiteId, Date.now() + UNKNOWN_WEBSITE_TTL_MS);
        this.snapshots.delete(websiteId);
        throw new NotFoundError(`website_id: website ${websiteId} does not exist`);
      }
      this.unknown.delete(websiteId);
      const builtAt = new Date();
      const reads = [
        () => this.catalog.itemsOf(websiteId),
        () => this.behaviour.itemStats(websiteId),
        () => this.behaviour.coVisitation(websiteId),
        () => this.behaviour.nextItems(websiteId),
        () => this.behaviour.segmentPopularity(websiteId),
        () => this.behaviour.purchases(websiteId),
      ] as const;
      // A caller waiting (first load, after UpsertItems): the six reads at once. The periodic
      // background refresh: one after another, so PostgreSQL aggregating the log takes one core at
      // most, not every core the service needs to keep answering (BENCHMARKS.md: a parallel
      // refresh during the open-loop run was the p99 tail).
      const [rows, stats, co, next, segments, purchases] = background
        ? [await reads[0](), await reads[1](), await reads[2](), await reads[3](), await reads[4](), await reads[5]()]
        : await Promise.all([reads[0](), reads[1](), reads[2](), reads[3](), reads[4](), reads[5]()]);
      snapshot = new WebsiteSnapshot(websiteId, rows, stats, co, next, segments, purchases, builtAt);
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

  /** One background pass over every loaded website, never two at once. */
  refreshAll(): Promise<void> {
    this.refreshing ??= (async () => {
      for (const websiteId of [...this.snapshots.keys()]) {
        await this.load(websiteId, true).catch(() => undefined);
      }
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
  }
}
