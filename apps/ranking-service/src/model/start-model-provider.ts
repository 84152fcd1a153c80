import { unknownFeatureNames } from '@recsys/features';
import type { Logger, ServiceMetrics } from '@recsys/service-kit';
import { join } from 'node:path';
import { ModelMetrics } from './model-metrics';
import type { ModelSettings } from '../config';
import { ModelsByName } from './models-by-name';
import { RegistryModelProvider } from './registry-model-provider';

/**
 * Builds the model provider for bootstrap and waits until the configured
 * model name is ready (a model, or the explicit heuristic fallback), so health
 * turns SERVING only then. Other names (RecommendRequest.model_name) are
 * loaded on first use, each with its own cache directory under
 * `<MODEL_CACHE_DIR>/names/<name>`. Metrics go on the service's own registry.
 */
export async function startModelProvider(settings: ModelSettings, kit: { logger: Logger; metrics: ServiceMetrics }): Promise<ModelsByName> {
  const metrics = new ModelMetrics(kit.metrics.registry);
  const providerFor = (modelName: string, cacheDir: string) =>
    new RegistryModelProvider({ ...settings, modelName, cacheDir, logger: kit.logger, metrics, unknownFeatureNames });
  const primary = providerFor(settings.modelName, settings.cacheDir);
  const models = new ModelsByName({
    defaultName: settings.modelName,
    primary,
    // Names follow the registry's rules ([A-Za-z0-9._-], no ".."): safe as one path component.
    create: (name) => providerFor(name, join(settings.cacheDir, 'names', name)),
    maxOtherNames: settings.maxOtherNames,
    logger: kit.logger,
  });
  try {
    await primary.start();
  } catch (err) {
    await models.close();
    throw err;
  }
  return models;
}
