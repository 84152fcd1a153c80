import { RankingServiceService } from '@recsys/contracts/ranking';
import { openDatabase } from '@recsys/db';
import { registerService, startService, type Logger, type StartedService } from '@recsys/service-kit';
import type { ServiceConfig } from './config';
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
    init: async ({ logger }) => {
      const db = await openDatabase({ url: config.databaseUrl, migrate: config.migrateOnStart, logger });
      return {
        services: [registerService(RankingServiceService, new RankingHandler())],
        close: () => db.close(),
      };
    },
  });
}
