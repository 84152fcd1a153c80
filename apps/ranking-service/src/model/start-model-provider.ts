import { unknownFeatureNames } from '@recsys/features';
import type { Logger, ServiceMetrics } from '@recsys/service-kit';
import { ModelMetrics } from './model-metrics';
import type { ModelSettings } from './model-settings';
import { RegistryModelProvider } from './registry-model-provider';

/**
 * Builds the model provider for bootstrap and waits until it is ready (a
 * model, or the explicit heuristic fallback), so health turns SERVING only
 * then. Its metrics go on the service's own Prometheus registry.
 */
export async function startModelProvider(settings: ModelSettings, kit: { logger: Logger; metrics: ServiceMetrics }): Promise<RegistryModelProvider> {
  const provider = new RegistryModelProvider({
    ...settings,
    logger: kit.logger,
    metrics: new ModelMetrics(kit.metrics.registry),
    unknownFeatureNames,
  });
  try {
    await provider.start();
  } catch (err) {
    await provider.close();
    throw err;
  }
  return provider;
}
