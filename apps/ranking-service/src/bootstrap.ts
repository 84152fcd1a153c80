import { RankingServiceService } from '@recsys/contracts/ranking';
import { runMigrations, waitForDatabase } from '@recsys/db';
import { registerService, startService, type Logger, type StartedService } from '@recsys/service-kit';
import { Pool, type PoolConfig } from 'pg';
import { BehaviourRepository } from './catalog/behaviour-repository';
import { CatalogCache } from './catalog/catalog-cache';
import { CatalogRepository } from './catalog/catalog-repository';
import type { ServiceConfig } from './config';
import { ItemUpserter } from './items/item-upserter';
import { LogRetention, logPartitions } from './log/log-retention';
import { RecommendationLog } from './log/recommendation-log';
import { UserErasure } from './log/user-erasure';
import type { ModelProvider } from './model/model-provider';
import { startModelProvider } from './model/start-model-provider';
import { NoModelProvider } from './no-model-provider';
import { OnlineMetrics } from './online-metrics/online-metrics';
import { OutcomeRecorder } from './outcomes/outcome-recorder';
import { ProfileSource } from './profile/profile-source';
import { ADMIN_METHODS, RankingHandler } from './ranking.handler';
import { LoadShedder } from './recommend/load-shedder';
import { Recommender } from './recommend/recommender';
import { SessionMemory } from './recommend/session-memory';

export interface BootstrapOptions {
  /** Replaces the logger built from config (tests pass a silent or capturing one). */
  logger?: Logger;
  /** The model source; default: the registry-backed provider configured by REGISTRY_ADDR, MODEL_NAME, MODEL_CACHE_DIR. */
  modelProvider?: ModelProvider;
  /** The clock of the log's retention job (tests move it). */
  now?: () => Date;
}

export interface RankingService extends StartedService {
  /** The log's retention job, exposed so tests (and operators' scripts) can run it on demand. */
  readonly logRetention: LogRetention;
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
 * The composition root of ranking-service: database → repositories → caches →
 * services → handler, built with constructors. Returns once the service is
 * SERVING. No ORM: ranking reads and writes through its own pg pool (short
 * connection timeout, so a dead database fails fast in background work; error
 * listeners, so a terminated connection never crashes the process).
 */
export async function bootstrap(config: ServiceConfig, options: BootstrapOptions = {}): Promise<RankingService> {
  let retention: LogRetention | undefined;
  const started = await startService({
    name: 'ranking-service',
    config,
    logger: options.logger,
    init: async ({ logger, metrics }) => {
      await waitForDatabase(config.databaseUrl);
      if (config.migrateOnStart) await runMigrations({ databaseUrl: config.databaseUrl, logger });
      // Ready = a model or the explicit heuristic fallback: health turns SERVING only after this.
      const ownModels = options.modelProvider ? undefined : await startModelProvider(config.model, { logger, metrics });
      const modelProvider = options.modelProvider ?? ownModels ?? new NoModelProvider();
      const settings = config.ranking;

      const pool = new Pool(rankingPoolConfig(config.databaseUrl));
      pool.on('error', (err) => logger.warn({ err }, 'ranking: idle database connection failed'));
      // A connection killed while checked out emits 'error' on the client itself (pg does not route it
      // to the pool); the query in flight still fails normally. Without a listener that would crash the process.
      pool.on('connect', (client) => client.on('error', () => undefined));
      const catalogRepository = new CatalogRepository(pool);
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
      const catalog = new CatalogCache(
        catalogRepository,
        new BehaviourRepository(pool),
        logger,
        { refreshIntervalMs: settings.catalogRefreshIntervalMs, behaviourMaxAgeMs: settings.behaviourRefreshIntervalMs },
        metrics.registry,
        // Item signals from the interaction log, through profile-service's contract (when there is one).
        settings.profile.address ? (websiteId, knownVersion) => profiles.itemSignals(websiteId, knownVersion) : undefined,
      );
      retention = new LogRetention(logPartitions(pool, settings.logRetentionDays), logger, options.now);
      // Not a reason to refuse serving: the writer makes the partitions it needs, the next hourly run retries the rest.
      await retention.runOnce().catch((err) => logger.warn({ err }, 'recommendation log retention failed at start; retrying hourly'));
      retention.start();
      const log = new RecommendationLog(pool, retention.partitions, settings.log, logger, metrics.registry);
      const sessions = new SessionMemory();
      const shedder = new LoadShedder(settings.shedding, logger, metrics.registry);
      const recommender = new Recommender(catalog, profiles, modelProvider, log, settings, logger, shedder, sessions);
      const handler = new RankingHandler(
        recommender,
        new OutcomeRecorder(pool, log, sessions),
        new ItemUpserter(catalogRepository, catalog),
        new OnlineMetrics(pool),
        new UserErasure(pool, log, catalogRepository),
      );
      return {
        services: [registerService(RankingServiceService, handler, { default: 'service', admin: ADMIN_METHODS })],
        // After the server drained: stop refreshing, flush the log, then release the pool and the clients.
        close: async () => {
          await retention?.stop();
          await catalog.close();
          await log.close();
          profiles.close();
          await pool.end();
          await ownModels?.close();
        },
      };
    },
  });
  return Object.assign(started, { logRetention: retention! });
}
