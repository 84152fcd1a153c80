import type { LoadFailureReason } from './model-metrics';
import { InvalidModelError } from './model-pool';
import { ArtifactDownloadError } from './registry-source';

/** A model declaring feature names the vocabulary (@recsys/features) does not know. */
export class UnknownFeaturesError extends Error {
  constructor(names: readonly string[]) {
    super(`unknown feature names: ${names.join(', ')}`);
    this.name = 'UnknownFeaturesError';
  }
}

/** The `reason` label of ranking_model_loads_total{outcome="failed"} for an error on the load path. */
export function failureReason(err: unknown): LoadFailureReason {
  if (err instanceof UnknownFeaturesError) return 'unknown_features';
  if (err instanceof InvalidModelError) return 'invalid_model';
  if (err instanceof ArtifactDownloadError) return err.reason === 'unavailable' ? 'download' : err.reason;
  return 'invalid_model';
}
