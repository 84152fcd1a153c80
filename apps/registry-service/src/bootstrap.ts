import { ModelRegistryService as ModelRegistryDefinition } from '@recsys/contracts/registry';
import { openDatabase } from '@recsys/db';
import { unknownFeatureNames } from '@recsys/features';
import { registerService, startService, type Logger, type StartedService } from '@recsys/service-kit';
import { ActivationListener } from './activation-listener';
import { ActiveModelWatch } from './active-model-watch';
import { LocalArtifactStore } from './artifact-store';
import type { ServiceConfig } from './config';
import { ADMIN_METHODS, ModelRegistryHandler } from './model-registry.handler';
import { ModelRegistryService } from './model-registry.service';
import { ModelUploader } from './model-upload';
import { acceptAllFeatureNames, ModelValidator, type FeatureNameValidator } from './model-validator';
import { ModelRepository } from './model.repository';

export interface BootstrapOptions {
  /** Replaces the logger built from config (tests pass a silent or capturing one). */
  logger?: Logger;
  /** Returns the feature names a model may not use; default: per FEATURE_NAME_CHECK. */
  featureNameValidator?: FeatureNameValidator;
}

export interface RegistryService extends StartedService {
  /** The WatchActiveModel LISTEN connection (tests cut it to prove reconnection). */
  readonly activationListener: ActivationListener;
}

/**
 * The composition root of registry-service: database → repositories → services →
 * handlers, built with constructors. Returns once the service is SERVING.
 */
export async function bootstrap(config: ServiceConfig, options: BootstrapOptions = {}): Promise<RegistryService> {
  let listener: ActivationListener | undefined;
  const started = await startService({
    name: 'registry-service',
    config,
    logger: options.logger,
    init: async ({ logger }) => {
      const db = await openDatabase({ url: config.databaseUrl, migrate: config.migrateOnStart, logger });
      const store = new LocalArtifactStore(config.artifactDir);
      await store.init();
      const repo = new ModelRepository(db.orm.em.getConnection().getKnex());
      listener = new ActivationListener(config.databaseUrl, logger);
      await listener.start();
      const validator = new ModelValidator({
        timeoutMs: config.validationTimeoutMs,
        concurrency: config.validationConcurrency,
        // The vocabulary is what ranking can compute: a model asking for anything else could never be served.
        featureNames: options.featureNameValidator ?? (config.featureNameCheck === 'vocabulary' ? unknownFeatureNames : acceptAllFeatureNames),
      });
      const handler = new ModelRegistryHandler({
        models: new ModelRegistryService({ repo, store }),
        uploader: new ModelUploader({ repo, store, validator, maxBytes: config.maxModelBytes, logger }),
        watch: new ActiveModelWatch({ repo, listener }),
      });
      logger.info({ artifactDir: config.artifactDir, maxModelBytes: config.maxModelBytes }, 'artifact store ready');
      const activations = listener;
      return {
        services: [registerService(ModelRegistryDefinition, handler, { default: 'service', admin: ADMIN_METHODS })],
        close: async () => {
          await activations.close();
          await db.close();
        },
      };
    },
  });
  const watchListener = listener!;
  const drain = started.close;
  return Object.assign(started, {
    activationListener: watchListener,
    // WatchActiveModel streams never end on their own: end them (UNAVAILABLE, clients re-subscribe elsewhere)
    // before the server drains, or shutdown would wait SHUTDOWN_TIMEOUT_MS for them.
    close: async () => {
      await watchListener.close();
      await drain();
    },
  });
}
