/**
 * The seam between Recommend and the model machinery (registry watch,
 * download, sha256 disk cache, onnxruntime sessions in a worker, hot swap).
 * Recommend asks for the model that serves a website, assembles the feature
 * matrix in `featureNames` order, and calls `score`. Everything behind this
 * interface lives in src/model/.
 */
export interface ServingModel {
  /** Registry identity, echoed in answers and logged as model_version. */
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  /** The model's input columns, in order (feature vocabulary names). */
  readonly featureNames: readonly string[];
  /**
   * Scores `rows` candidates. `features` is row-major `[rows, featureNames.length]`,
   * every value finite (the caller guarantees it). Resolves one finite score per
   * row (for `[N,2]` classifiers: the positive-class column). Rejects with
   * ModelScoringError when the model fails or yields a non-finite score; the
   * caller then falls back. Safe to call while a newer model is being swapped in:
   * the session stays alive until every in-flight call has finished.
   */
  score(features: Float32Array, rows: number): Promise<Float32Array>;
  /**
   * True when score() runs synchronously on the service thread (small models,
   * model-pool.ts): its promise settles in the same turn of the event loop as
   * the run, so no timer can cut it short and none is armed for it.
   */
  readonly runsOnMainThread?: boolean;
}

export interface ModelProvider {
  /**
   * The model serving `websiteId` (its own active model, else the global one)
   * under the registry name `modelName` (undefined or '' = the name the
   * service is configured with, MODEL_NAME), or undefined: fall back.
   */
  current(websiteId: string, modelName?: string): ServingModel | undefined;
  /** True once the configured name has either a model or a settled "no model" answer (for health: SERVING). */
  readonly ready: boolean;
  /** The same for `modelName` (undefined or '' = the configured name): a name asked for the first time is not ready yet. */
  readyFor(modelName?: string): boolean;
  close(): Promise<void>;
}

export class ModelScoringError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelScoringError';
  }
}
