// One onnxruntime session: create with checks, warm up, score. Used by the
// worker thread (onnx-session.worker.ts, every model) and by the service
// thread for small models (model-pool.ts). Imports nothing else of ours, so the
// worker bundle stays small and starts fast.
import * as ort from 'onnxruntime-node';

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
  // One thread per session: as fast as two on two cores, with a better tail (STACK.md),
  // and the main thread keeps a core for gRPC.
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
});

export async function createSession(request: SessionRequest): Promise<Session> {
  const session = await ort.InferenceSession.create(request.bytes, SESSION_OPTIONS);
  try {
    // An empty name means "the model's only one" (the registry's upload rule).
    const inputName = request.inputName || (session.inputNames.length === 1 ? session.inputNames[0]! : '');
    const outputName = request.outputName || (session.outputNames.length === 1 ? session.outputNames[0]! : '');
    if (!session.inputNames.includes(inputName)) {
      throw new Error(`the model has no input "${inputName}" (inputs: ${session.inputNames.join(', ')})`);
    }
    if (!session.outputNames.includes(outputName)) {
      throw new Error(`the model has no output "${outputName}" (outputs: ${session.outputNames.join(', ')})`);
    }
    const input = session.inputMetadata.find((m) => m.name === inputName);
    if (input?.isTensor) {
      if (input.type !== 'float32') throw new Error(`input "${inputName}" is ${input.type}, expected float32`);
      const width = input.shape[1];
      if (input.shape.length !== 2 || (typeof width === 'number' && width !== request.featureCount)) {
        throw new Error(`input "${inputName}" has shape [${input.shape.join(', ')}], expected [N, ${request.featureCount}] (one column per feature name)`);
      }
    }
    return { session, inputName, outputName, featureCount: request.featureCount, outputWidth: 1 };
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }
}

/**
 * The first runs allocate; doing them here keeps that cost off real calls. They
 * also prove the model answers the shape we expect with finite scores. Resolves
 * the fastest of PROBE_RUNS timed runs of PROBE_ROWS rows through the async
 * run(), in milliseconds (model-pool.ts's pre-filter for the service thread).
 */
export async function warmUp(s: Session): Promise<number> {
  for (const rows of [1, 2, 64]) {
    for (const fill of [0, 1]) {
      const features = new Float32Array(rows * s.featureCount).fill(fill);
      const out = await runRaw(s, features, rows);
      const width = out.data.length / rows;
      const dims = out.dims;
      const shapeOk = dims[0] === rows && (dims.length === 1 || (dims.length === 2 && (dims[1] === 1 || dims[1] === 2)));
      if (!shapeOk) throw new Error(`output "${s.outputName}" has shape [${dims.join(', ')}] for ${rows} rows, expected [N], [N,1] or [N,2]`);
      s.outputWidth = width;
      const scores = column(out.data as Float32Array, rows, width);
      if (!scores.every(Number.isFinite)) throw new Error(`warm-up on ${rows} rows of ${fill} gave a non-finite score`);
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
