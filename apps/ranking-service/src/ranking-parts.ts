import type { Logger, ServiceMetrics } from '@recsys/service-kit';
import { Pool, type PoolConfig } from 'pg';
import { BehaviourRepository } from './catalog/behaviour-repository';
import { CatalogCache } from './catalog/catalog-cache';
import { CatalogRepository } from './catalog/catalog-repository';
import { ItemUpserter } from './items/item-upserter';
import { RecommendationLog } from './log/recommendation-log';
import { UserErasure } from './log/user-erasure';
import type { ModelProvider } from './model/model-provider';
import { OnlineMetrics } from './online-metrics/online-metrics';
import { OutcomeRecorder } from './outcomes/outcome-recorder';
import { ProfileSource } from './profile/profile-source';
import type { RankingSettings } from './ranking-settings';
import { RankingHandler } from './ranking.handler';
import { LoadShedder } from './recommend/load-shedder';
import { Recommender } from './recommend/recommender';
import { SessionMemory } from './recommend/session-memory';

export interface RankingParts {
  handler: RankingHandler;
  log: RecommendationLog;
  catalog: CatalogCache;
  /** Flushes the log, then releases the pool and the profile client. */
  close(): Promise<void>;
}

/**
 * The service's pg pool settings. Short connection timeout: a dead database fails fast in
 * background work. `jit=off`: the log aggregates estimate far more rows than they touch (the
 * co-visitation self-join: 1.75 million estimated, none produced), so PostgreSQL's JIT compiled
 * them for ~480 ms per run, 6x the query itself (npm run bench:aggregates: a refresh of the bench
 * website 744 -> 271 ms of PostgreSQL). Nothing this service asks runs long enough to repay it.
 */
export function rankingPoolConfig(databaseUrl: string): PoolConfig {
  return {
    connectionString: databaseUrl,
    application_name: 'ranking-service',
    options: '-c jit=off',
    max: 10,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 10_000,
  };
}

/**
 * Builds the ranking side of the service (repositories → caches → services →
 * handler) with constructors. Its own pg pool: short connection timeout so a
 * dead database fails fast in background work, and an error listener so a
 * terminated idle connection never crashes the process.
 */
export function createRankingParts(
  databaseUrl: string,
  settings: RankingSettings,
  deps: { logger: Logger; metrics?: ServiceMetrics; modelProvider: ModelProvider },
): RankingParts {
  const { logger, modelProvider } = deps;
  const pool = new Pool(rankingPoolConfig(databaseUrl));
  pool.on('error', (err) => logger.warn({ err }, 'ranking: idle database connection failed'));
  // A connection killed while checked out emits 'error' on the client itself (pg does not route it
  // to the pool); the query in flight still fails normally. Without a listener that would crash the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const catalogRepository = new CatalogRepository(pool);
  const catalog = new CatalogCache(catalogRepository, new BehaviourRepository(pool), logger, {
    refreshIntervalMs: settings.catalogRefreshIntervalMs,
    behaviourMaxAgeMs: settings.behaviourRefreshIntervalMs,
  }, deps.metrics?.registry);
  const profiles = new ProfileSource(
    {
      address: settings.profile.address,
      token: settings.profile.token,
      deadlineMs: settings.profile.deadlineMs,
      cacheTtlMs: settings.profile.cacheTtlMs,
      maxEntries: settings.profile.cacheMaxEntries,
    },
    logger,
  );
  const log = new RecommendationLog(pool, settings.log, logger, deps.metrics?.registry);
  const sessions = new SessionMemory();
  const shedder = new LoadShedder(settings.shedding, logger, deps.metrics?.registry);
  const recommender = new Recommender(catalog, profiles, modelProvider, log, settings, logger, shedder, sessions);
  const handler = new RankingHandler(
    recommender,
    new OutcomeRecorder(pool, log, sessions),
    new ItemUpserter(catalogRepository, catalog),
    new OnlineMetrics(pool),
    new UserErasure(pool, log, catalogRepository),
  );
  return {
    handler,
    log,
    catalog,
    close: async () => {
      await catalog.close();
      await log.close();
      profiles.close();
      // The model provider belongs to whoever made it (bootstrap closes its own).
      await pool.end();
    },
  };
}
