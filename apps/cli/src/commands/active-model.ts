import type { Model, ModelRegistryClient } from '@recsys/contracts/registry';
import { createSession, score, smokeRun } from '@recsys/onnx/session';
import { groupNdcg, type RankingSet } from '@recsys/training';
import type { CliContext } from '../cli-context';
import { unaryCall } from '../command-action';
import { streamModel } from './model-download';

/** The version serving the website now under `name`, if any (NOT_FOUND: none). */
export async function activeModel(c: CliContext, client: ModelRegistryClient, name: string, websiteId: string): Promise<Model | undefined> {
  try {
    return (await unaryCall<{ model?: Model }>(c, client, 'getActiveModel', { name, websiteId })).model;
  } catch (err) {
    if ((err as { code?: number }).code === 5) return undefined;
    throw err;
  }
}

/** How the active model did: scored on the validation split, or only its recorded value (and why). */
export type ActiveScore = { ndcg: number; source: 'validation' } | { ndcg: number | undefined; source: 'recorded'; why: string };

/** Rows per onnxruntime call. */
const BATCH = 4096;

/**
 * NDCG@k of the active model on the same validation rows as the new one:
 * its artifact downloaded (size and sha256 checked), opened as serving opens
 * it, and fed the dataset's columns by feature name. A model that needs a
 * feature the dataset does not fill (a caller-side or context feature, say)
 * would be judged on defaults: then its recorded value stands, and the
 * report says why.
 */
export async function scoreActive(c: CliContext, client: ModelRegistryClient, model: Model, validation: RankingSet, featureNames: readonly string[], k: number): Promise<ActiveScore> {
  const missing = model.featureNames.filter((n) => !featureNames.includes(n));
  if (missing.length > 0) return { ndcg: model.metrics[`ndcg@${k}`], source: 'recorded', why: `the dataset does not fill ${missing.join(', ')}` };
  const chunks: Uint8Array[] = [];
  await streamModel(c, client, model.name, model.version, (chunk) => void chunks.push(chunk));
  const session = await createSession({ bytes: Buffer.concat(chunks), inputName: model.inputName, outputName: model.outputName, featureCount: model.featureNames.length });
  try {
    await smokeRun(session);
    const columns = model.featureNames.map((n) => featureNames.indexOf(n));
    const rows = validation.labels.length;
    const scores = new Float64Array(rows);
    for (let start = 0; start < rows; start += BATCH) {
      const n = Math.min(BATCH, rows - start);
      const matrix = new Float32Array(n * columns.length);
      for (let r = 0; r < n; r++) for (let f = 0; f < columns.length; f++) matrix[r * columns.length + f] = validation.x[(start + r) * validation.width + columns[f]!]!;
      scores.set(await score(session, matrix, n), start);
    }
    return { ndcg: groupNdcg(validation, scores, k), source: 'validation' };
  } finally {
    await session.session.release();
  }
}
