import { RankingServiceService } from '@recsys/contracts/ranking';
import { openDatabase } from '@recsys/db';
import { registerService, startService, type Logger, type StartedService } from '@recsys/service-kit';
import type { ServiceConfig } from './config';
import { startModelProvider } from './model/start-model-provider';
import { RankingHandler } from './ranking.handler';

export interface BootstrapOptions {
  /** Replaces the logger built from config (tests pass a silent or capturing one). */
  logger?: Logger;
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
      const db = await openDatabase({ url: config.databaseUrl, migrate: config.migrateOnStart, logger });
      // Ready = a model or the explicit heuristic fallback: health turns SERVING only after this.
      const ownModels = await startModelProvider(config.model, { logger, metrics }).catch(async (err) => {
        await db.close();
        throw err;
      });
      return {
        services: [registerService(RankingServiceService, new RankingHandler())],
        close: async () => {
          await ownModels.close();
          await db.close();
        },
      };
    },
  });
}
