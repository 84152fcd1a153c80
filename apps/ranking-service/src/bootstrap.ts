import { RankingServiceService } from '@recsys/contracts/ranking';
import { runMigrations, waitForDatabase } from '@recsys/db';
import { registerService, startService, type Logger, type StartedService } from '@recsys/service-kit';
import type { ServiceConfig } from './config';
import type { ModelProvider } from './model/model-provider';
import { startModelProvider } from './model/start-model-provider';
import { NoModelProvider } from './no-model-provider';
import { createRankingParts } from './ranking-parts';
import { ADMIN_METHODS } from './ranking.handler';

export interface BootstrapOptions {
  /** Replaces the logger built from config (tests pass a silent or capturing one). */
  logger?: Logger;
  /** The model source; default: the registry-backed provider configured by REGISTRY_ADDR, MODEL_NAME, MODEL_CACHE_DIR. */
  modelProvider?: ModelProvider;
}

/**
 * The composition root of ranking-service: database → repositories → services →
 * handlers, built with constructors. Returns once the service is SERVING.
 */
export function bootstrap(config: ServiceConfig, options: BootstrapOptions = {}): Promise<StartedService> {
  return startService({
    name: 'ranking-service',
    config,
    logger: options.logger,
    init: async ({ logger, metrics }) => {
      // No ORM here: ranking reads and writes through its own pg pool (ranking-parts.ts); start-up only waits and migrates.
      await waitForDatabase(config.databaseUrl);
      if (config.migrateOnStart) await runMigrations({ databaseUrl: config.databaseUrl, logger });
      // Ready = a model or the explicit heuristic fallback: health turns SERVING only after this.
      const ownModels = options.modelProvider ? undefined : await startModelProvider(config.model, { logger, metrics });
      const modelProvider = options.modelProvider ?? ownModels ?? new NoModelProvider();
      const ranking = createRankingParts(config.databaseUrl, config.ranking, { logger, metrics, modelProvider });
      return {
        services: [registerService(RankingServiceService, ranking.handler, { default: 'service', admin: ADMIN_METHODS })],
        close: async () => {
          await ranking.close();
          await ownModels?.close();
        },
      };
    },
  });
}
