// A session that scores synchronously, in the calling thread, for the small
// models model-pool.ts also keeps on the service thread. onnxruntime-node's
// public run() is async only because it defers its (synchronous, in-thread)
// native run with setImmediate; on a service answering calls that deferral
// cost more than the run itself: 100 rows of the bench MLP took ~121 µs median
// from run() to the scores, of which ~60 µs was the run, and ~0.9 ms at p90
// when other I/O was ready first (BENCHMARKS.md). Same native session, same
// options, no deferral: through the package's own binding
// (onnxruntime-node/dist/binding, typed, version pinned in package.json). When
// that binding is not there, createInlineSession returns undefined and the
// model keeps the public async path.
import { Tensor } from 'onnxruntime-node';
import { binding, initOrt } from 'onnxruntime-node/dist/binding';
import { SESSION_OPTIONS, column, type SessionIo } from './session';

export interface InlineSession {
  /** Scores `rows` rows of `[rows, featureCount]` now; throws what onnxruntime throws. */
  score(features: Float32Array, rows: number): Float32Array;
  release(): void;
}

/** `io`: the model's input and output as a checked session found them (the worker's). */
export function createInlineSession(bytes: Uint8Array, io: SessionIo): InlineSession | undefined {
  if (typeof binding?.InferenceSession !== 'function' || typeof initOrt !== 'function') return undefined;
  initOrt();
  const native = new binding.InferenceSession();
  native.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, SESSION_OPTIONS);
  const { inputName, outputName, featureCount, outputWidth } = io;
  const runOptions = {};
  let released = false;
  return {
    score(features, rows) {
      if (released) throw new Error('session released');
      const input = new Tensor('float32', features, [rows, featureCount]);
      const out = native.run({ [inputName]: input }, { [outputName]: null }, runOptions)[outputName] as Tensor | undefined;
      if (!out || out.type !== 'float32') throw new Error(`output "${outputName}" is ${out?.type ?? 'missing'}, expected float32`);
      if (out.data.length !== rows * outputWidth) throw new Error(`model returned ${out.data.length} values for ${rows} rows`);
      return column(out.data as Float32Array, rows, outputWidth);
    },
    release() {
      if (released) return;
      released = true;
      native.dispose();
    },
  };
}
