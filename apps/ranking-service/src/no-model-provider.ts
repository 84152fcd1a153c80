import type { ModelProvider, ServingModel } from './model/model-provider';

/**
 * The provider for a ranking-service without model loading: it settles at
 * once on "no model", so every answer comes from the heuristic scorer with
 * fallback = true and FALLBACK_REASON_NO_ACTIVE_MODEL. Not a fake model.
 */
export class NoModelProvider implements ModelProvider {
  readonly ready = true;

  current(_websiteId: string, _modelName?: string): ServingModel | undefined {
    return undefined;
  }

  readyFor(_modelName?: string): boolean {
    return true;
  }

  async close(): Promise<void> {}
}
