// The worker thread that owns every onnxruntime session of the process.
// onnxruntime-node creates and runs sessions synchronously on the thread that
// calls it (STACK.md: ~0.5 s for a 10 MB tree model), so creation, warm-up and
// scoring all happen here and the service's event loop never stalls. The
// protocol is in onnx-worker-protocol.ts; this file imports nothing of ours at
// run time so it starts fast and bundles alone (package.json "recsys.workers").
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { LoadRequest, WorkerReply, WorkerRequest } from './onnx-worker-protocol';

interface Session {
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
  featureCount: number;
  /** 1 for [N] or [N,1] outputs; 2 for [N,2] classifiers (column 1 is the positive class). */
  outputWidth: number;
}

const sessions = new Map<number, Session>();
if (!parentPort) throw new Error('onnx-session.worker must run as a worker thread');
const port = parentPort;

port.on('message', (request: WorkerRequest) => {
  void handle(request).then((reply) => {
    if (reply) port.postMessage(reply, reply.op === 'scores' ? [reply.scores.buffer as ArrayBuffer] : []);
  });
});

async function handle(request: WorkerRequest): Promise<WorkerReply | undefined> {
  switch (request.op) {
    case 'load':
      try {
        const started = performance.now();
        const loaded = await load(request);
        const created = performance.now();
        await warmUp(loaded);
        sessions.set(request.id, loaded);
        return { op: 'loaded', id: request.id, createMs: created - started, warmUpMs: performance.now() - created };
      } catch (err) {
        return { op: 'load-failed', id: request.id, message: messageOf(err) };
      }
    case 'run': {
      const s = sessions.get(request.id);
      if (!s) return { op: 'run-failed', call: request.call, message: `session ${request.id} is not loaded` };
      try {
        return { op: 'scores', call: request.call, scores: await score(s, request.features, request.rows) };
      } catch (err) {
        return { op: 'run-failed', call: request.call, message: messageOf(err) };
      }
    }
    case 'release': {
      const s = sessions.get(request.id);
      sessions.delete(request.id);
      await s?.session.release().catch(() => undefined);
      return { op: 'released', id: request.id };
    }
    case 'close': {
      for (const s of sessions.values()) await s.session.release().catch(() => undefined);
      sessions.clear();
      // With the port closed the thread has nothing left to do and exits on its own.
      setImmediate(() => port.close());
      return { op: 'closed' };
    }
  }
}

async function load(request: LoadRequest): Promise<Session> {
  const session = await ort.InferenceSession.create(request.bytes, {
    // One thread per session: as fast as two on two cores, with a better tail (STACK.md),
    // and the main thread keeps a core for gRPC.
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  try {
    // An empty name means "the model's only one" (the registry's upload rule).
    const inputName = request.inputName || (session.inputNames.length === 1 ? session.inputNames[0]! : '');
    const outputName = request.outputName || (session.outputNames.length === 1 ? session.outputNames[0]! : '');
    request = { ...request, inputName, outputName };
    if (!session.inputNames.includes(request.inputName)) {
      throw new Error(`the model has no input "${request.inputName}" (inputs: ${session.inputNames.join(', ')})`);
    }
    if (!session.outputNames.includes(request.outputName)) {
      throw new Error(`the model has no output "${request.outputName}" (outputs: ${session.outputNames.join(', ')})`);
    }
    const input = session.inputMetadata.find((m) => m.name === request.inputName);
    if (input?.isTensor) {
      if (input.type !== 'float32') throw new Error(`input "${request.inputName}" is ${input.type}, expected float32`);
      const width = input.shape[1];
      if (input.shape.length !== 2 || (typeof width === 'number' && width !== request.featureCount)) {
        throw new Error(`input "${request.inputName}" has shape [${input.shape.join(', ')}], expected [N, ${request.featureCount}] (one column per feature name)`);
      }
    }
    return { session, inputName: request.inputName, outputName: request.outputName, featureCount: request.featureCount, outputWidth: 1 };
  } catch (err) {
    await session.release().catch(() => undefined);
    throw err;
  }
}

/**
 * The first runs allocate; doing them here keeps that cost off real calls. They
 * also prove the model answers the shape we expect with finite scores.
 */
async function warmUp(s: Session): Promise<void> {
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
}

async function score(s: Session, features: Float32Array, rows: number): Promise<Float32Array> {
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
function column(data: Float32Array, rows: number, width: number): Float32Array {
  if (width === 1) return data.slice(0, rows);
  const scores = new Float32Array(rows);
  for (let i = 0; i < rows; i++) scores[i] = data[i * width + width - 1]!;
  return scores;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
