import { FallbackReason } from '@recsys/contracts/ranking';
import { CompiledFeatures, type FeatureRowInput } from '@recsys/features';
import type { ModelProvider, ServingModel } from '../model/model-provider';

export type ModelScoring =
  /** `matrix` is borrowed from `features`: give it back (`features.giveBack`) once the answer no longer reads it. */
  | { ok: true; model: ServingModel; scores: Float32Array; matrix: Float32Array<ArrayBuffer>; features: CompiledFeatures }
  | { ok: false; reason: FallbackReason; model?: ServingModel; error?: unknown };

/** Compiled features per loaded model: built once, on the model's first call. */
const compiled = new WeakMap<ServingModel, CompiledFeatures | Error>();

function columnsOf(model: ServingModel): CompiledFeatures | Error {
  let c = compiled.get(model);
  if (!c) {
    try {
      c = new CompiledFeatures(model.featureNames);
    } catch (err) {
      c = err as Error;
    }
    compiled.set(model, c);
  }
  return c;
}

/**
 * Scores rows with the website's current model, or says why not. Never throws:
 * every failure (no model, unknown feature names, a model error, non-finite
 * output, the scoring budget passing) becomes a fallback reason.
 */
export async function scoreWithModel(
  provider: ModelProvider,
  websiteId: string,
  modelName: string,
  rows: readonly FeatureRowInput[],
  budgetMs: number,
): Promise<ModelScoring> {
  let model: ServingModel | undefined;
  try {
    model = provider.current(websiteId, modelName);
  } catch (error) {
    return { ok: false, reason: FallbackReason.FALLBACK_REASON_MODEL_ERROR, error };
  }
  if (!model) {
    return { ok: false, reason: provider.readyFor(modelName) ? FallbackReason.FALLBACK_REASON_NO_ACTIVE_MODEL : FallbackReason.FALLBACK_REASON_MODEL_NOT_READY };
  }
  const columns = columnsOf(model);
  if (columns instanceof Error) return { ok: false, reason: FallbackReason.FALLBACK_REASON_MODEL_ERROR, model, error: columns };
  if (rows.length === 0) return { ok: true, model, scores: new Float32Array(0), matrix: new Float32Array(0), features: columns };
  const matrix = columns.assemble(rows, columns.borrow(rows.length));
  let timer: NodeJS.Timeout | undefined;
  try {
    // A run on the service thread settles before any timer could fire: arming one per call (~9 µs) would buy nothing.
    const result = model.runsOnMainThread
      ? await model.score(matrix, rows.length)
      : await Promise.race([model.score(matrix, rows.length), new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), budgetMs)))]);
    if (result === 'timeout') return { ok: false, reason: FallbackReason.FALLBACK_REASON_MODEL_TIMEOUT, model };
    if (result.length !== rows.length) {
      return { ok: false, reason: FallbackReason.FALLBACK_REASON_MODEL_ERROR, model, error: new Error(`model returned ${result.length} scores for ${rows.length} rows`) };
    }
    for (const v of result) if (!Number.isFinite(v)) return { ok: false, reason: FallbackReason.FALLBACK_REASON_MODEL_ERROR, model, error: new Error('non-finite score') };
    return { ok: true, model, scores: result, matrix, features: columns };
  } catch (error) {
    return { ok: false, reason: FallbackReason.FALLBACK_REASON_MODEL_ERROR, model, error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Top contributing features of a row, by occlusion: each feature in turn set to
 * 0 and the row re-scored; the drop in score is that feature's contribution.
 * One batched call of rows × features rows; only for `explain`.
 */
export async function contributions(model: ServingModel, matrix: Float32Array, row: number, baseScore: number): Promise<{ name: string; value: number; delta: number }[]> {
  const width = model.featureNames.length;
  const probe = new Float32Array(width * width);
  const base = matrix.subarray(row * width, row * width + width);
  for (let f = 0; f < width; f++) {
    probe.set(base, f * width);
    probe[f * width + f] = 0;
  }
  const scores = await model.score(probe, width);
  return model.featureNames
    .map((name, f) => ({ name, value: base[f]!, delta: baseScore - scores[f]! }))
    .filter((c) => c.value !== 0 && Number.isFinite(c.delta) && c.delta > 0)
    .sort((a, b) => b.delta - a.delta);
}
