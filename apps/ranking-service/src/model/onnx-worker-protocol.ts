// Messages between the service thread (OnnxWorker) and onnx-session.worker.ts.
// Types only: both sides import them, and nothing here exists at run time.
import type { SessionIo } from '@recsys/onnx/session';

/** Create a session from ONNX bytes, check its input/output, warm it up. */
export interface LoadRequest {
  op: 'load';
  id: number;
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
  featureCount: number;
}

/** Score `rows` rows of row-major features with session `id`. */
export interface RunRequest {
  op: 'run';
  call: number;
  id: number;
  features: Float32Array;
  rows: number;
}

/** Release session `id` (the service thread guarantees no run of it is pending). */
export interface ReleaseRequest {
  op: 'release';
  id: number;
}

/** Release every session, then end the thread by closing its port (never terminate(): see OnnxWorker.close). */
export interface CloseRequest {
  op: 'close';
}

export type WorkerRequest = LoadRequest | RunRequest | ReleaseRequest | CloseRequest;

export type WorkerReply =
  /** probeMs: the fastest timed run of PROBE_ROWS rows after the warm-up; io: what the checks and warm-up found (onnx-session.ts). */
  | { op: 'loaded'; id: number; createMs: number; warmUpMs: number; probeMs: number; io: SessionIo }
  | { op: 'load-failed'; id: number; message: string }
  | { op: 'scores'; call: number; scores: Float32Array }
  | { op: 'run-failed'; call: number; message: string }
  | { op: 'released'; id: number }
  | { op: 'closed' };
