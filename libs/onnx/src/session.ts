// The one way Recsys opens an ONNX model: the serving session options, the
// model contract checked on what onnxruntime reports (model-contract.ts), the
// warm-up and smoke runs, scoring and reading the score column. Used by the
// registry's validation worker (so a model is validated as it will be served),
// ranking-service's worker thread and service thread, and the trainer's export
// check. Imports only the contract, so worker bundles stay small and start fast
// (`@recsys/onnx/session`, kept out of the package index, which would load
// onnxruntime into every importer).
import * as ort from 'onnxruntime-node';
import { checkSignature, checkSmokeOutput, smokeBatch, type ValueShape } from './model-contract';

/** A checked session's input and output, names resolved (an empty request name = the model's only one). */
export interface SessionIo {
  inputName: string;
  outputName: string;
  featureCount: number;
  /** 1 for [N] or [N,1] outputs; 2 for [N,2] classifiers (column 1 is the positive class). */
  outputWidth: number;
}

export interface Session extends SessionIo {
  session: ort.InferenceSession;
}

export interface SessionRequest {
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
  featureCount: number;
}

/** Rows of the timed run after the warm-up (`probeMs`): a typical Recommend with caller candidates. */
export const PROBE_ROWS = 100;

/** Timed runs of a probe; the fastest counts (one preempted run must not decide). */
export const PROBE_RUNS = 5;

/** The probe's input: PROBE_ROWS rows of 0.5 for a model of `featureCount` features. */
export const probeMatrix = (featureCount: number) => new Float32Array(PROBE_ROWS * featureCount).fill(0.5);

/** The fastest of PROBE_RUNS synchronous calls of `run`, in milliseconds. */
export function fastestRun(run: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < PROBE_RUNS; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * fastestRun for an asynchronous `run`, each timed to its settling. Kept apart
 * so that the synchronous timing, which decides where a model scores, has no
 * await in it.
 */
async function fastestRunAsync(run: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < PROBE_RUNS; i++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = Object.freeze({
  // One thread per session: as fast as two on two cores, with a better tail (docs/platform-notes.md),
  // and the main thread keeps a core for gRPC.
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
});

/** onnxruntime could not load the bytes at all (not a contract question: the file is not a model it runs). */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/**
 * Opens `bytes` with SESSION_OPTIONS and checks its signature against the model
 * contract (checkSignature: one float32 [N, F] input, a score output). Throws
 * ModelLoadError when onnxruntime cannot load it, ContractError when it breaks
 * the contract. Not yet run: warmUp (serving) or smokeRun (validation) does that.
 */
export async function createSession(request: SessionRequest): Promise<Session> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(request.bytes, SESSION_OPTIONS);
  } catch (err) {
    throw new ModelLoadError(`onnxruntime cannot load it: ${(err as Error).message}`);
  }
  try {
    const shape = (m: ort.InferenceSession.ValueMetadata): ValueShape => (m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, shape: [] });
    const { inputName, outputName } = checkSignature(
      session.inputMetadata.map(shape),
      session.outputMetadata.map(shape),
      { featureNames: [], inputName: request.inputName, outputName: request.outputName },
      request.featureCount,
    );
    return { session, inputName, outputName, featureCount: request.featureCount, outputWidth: 1 };
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }
}

/** Rows of the smoke run: a deterministic spread of values (smokeBatch). */
export const SMOKE_ROWS = 4;

/**
 * Runs the contract's smoke batch and checks the output (shape [N], [N, 1] or
 * [N, 2], finite scores: checkSmokeOutput); sets and returns the number of
 * score columns. Throws ContractError, or what onnxruntime throws for the run.
 */
export async function smokeRun(s: Session): Promise<1 | 2> {
  const out = await runRaw(s, smokeBatch(s.featureCount, SMOKE_ROWS), SMOKE_ROWS);
  const width = checkSmokeOutput(s.outputName, out.dims as number[], out.data as Float32Array, SMOKE_ROWS);
  s.outputWidth = width;
  return width;
}

/**
 * The first runs allocate; doing them here keeps that cost off real calls. They
 * also prove the model answers the contract's shape with finite scores (the
 * smoke run, then 1, 2 and 64 rows of zeros and of ones). Resolves
 * the fastest of PROBE_RUNS timed runs of PROBE_ROWS rows through the async
 * run(), in milliseconds (model-pool.ts's pre-filter for the service thread).
 */
export async function warmUp(s: Session): Promise<number> {
  await smokeRun(s);
  for (const rows of [1, 2, 64]) {
    for (const fill of [0, 1]) {
      const out = await runRaw(s, new Float32Array(rows * s.featureCount).fill(fill), rows);
      checkSmokeOutput(s.outputName, out.dims as number[], out.data as Float32Array, rows);
    }
  }
  const probe = probeMatrix(s.featureCount);
  return fastestRunAsync(() => runRaw(s, probe, PROBE_ROWS));
}

export async function score(s: Session, features: Float32Array, rows: number): Promise<Float32Array> {
  const out = await runRaw(s, features, rows);
  if (out.data.length !== rows * s.outputWidth) throw new Error(`model returned ${out.data.length} values for ${rows} rows`);
  return column(out.data as Float32Array, rows, s.outputWidth);
}

async function runRaw(s: Session, features: Float32Array, rows: number): Promise<ort.Tensor> {
  const input = new ort.Tensor('float32', features, [rows, s.featureCount]);
  const result = await s.session.run({ [s.inputName]: input }, [s.outputName]);
  const out = result[s.outputName];
  if (!out || out.type !== 'float32') throw new Error(`output "${s.outputName}" is ${out?.type ?? 'missing'}, expected float32`);
  return out;
}

/** Scores as a fresh array we own (transferable); for [N,2] the positive-class column. */
export function column(data: Float32Array, rows: number, width: number): Float32Array {
  if (width === 1) return data.slice(0, rows);
  const scores = new Float32Array(rows);
  for (let i = 0; i < rows; i++) scores[i] = data[i * width + width - 1]!;
  return scores;
}
