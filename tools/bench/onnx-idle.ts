// The part of Recommend's budget onnxruntime takes by itself: the bench model
// scoring 100 rows through the service-thread session ranking-service uses
// (@recsys/onnx/inline-session, the same options), back to back and after the thread has
// been idle for a while, as it is between two calls of a closed-loop client.
// On the 2-core VMs this project is measured on, a run after 1 ms of idle took
// 3-4x as long as back to back, and a 1-row run nearly as long as a 100-row one:
// the extra time is onnxruntime's own run path starting cold, not the
// arithmetic (BENCHMARKS.md). A JavaScript loop of the same back-to-back
// duration is measured the same way, so the two slow-downs can be compared.
import { readModelMetadata } from '@recsys/onnx';
import { createInlineSession } from '@recsys/onnx/inline-session';
import { percentiles } from './bench-kit';

export interface IdleCost {
  /** p50 µs of a run after four others right before it. */
  backToBack: number;
  /** p50 µs of a run after `idleMs` of sleep. */
  afterIdle: number;
}

const idle = new Int32Array(new SharedArrayBuffer(4));

/** p50 of `run` back to back (the fifth run in a row) and after `idleMs` of sleeping (Atomics.wait: the thread really sleeps), alternating. */
function idleCost(run: () => unknown, idleMs: number, samples: number): IdleCost {
  for (let i = 0; i < 500; i++) run();
  const hot: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < samples; i++) {
    Atomics.wait(idle, 0, 0, idleMs);
    let t = process.hrtime.bigint();
    run();
    cold.push(Number(process.hrtime.bigint() - t) / 1e3);
    for (let k = 0; k < 4; k++) run();
    t = process.hrtime.bigint();
    run();
    hot.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return { backToBack: percentiles(hot).p50, afterIdle: percentiles(cold).p50 };
}

/**
 * onnxruntime (the model `bytes`, `rows` rows of random features) and a
 * JavaScript loop tuned to the same back-to-back time, each back to back and
 * after `idleMs` of idle.
 */
export function onnxIdleCost(bytes: Uint8Array, rows = 100, idleMs = 1, samples = 2000): { onnx: IdleCost; js: IdleCost } {
  const meta = readModelMetadata(bytes);
  const featureCount = meta.featureNames?.length ?? 0;
  const session = createInlineSession(bytes, { inputName: meta.inputs[0]!.name, outputName: meta.outputs[0]!.name, featureCount, outputWidth: 1 });
  if (!session) throw new Error("onnxruntime-node's binding is not there: nothing to measure");
  try {
    const features = new Float32Array(rows * featureCount).map((_, i) => ((i * 7919) % 1000) / 1000);
    const onnx = idleCost(() => session.score(features, rows), idleMs, samples);
    // Sweeps over a 4 KB array, repeated to take about as long as the model's back-to-back run
    // (the repeat count measured as the loop will run: the median of 200 runs, three times).
    const data = new Float64Array(512).map((_, i) => i / 512);
    let sink = 0;
    let repeat = 1;
    const loop = () => {
      for (let r = 0; r < repeat; r++) for (let i = 0; i < data.length; i++) sink += data[i]!;
    };
    for (let pass = 0; pass < 3; pass++) {
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = process.hrtime.bigint();
        loop();
        times.push(Number(process.hrtime.bigint() - t) / 1e3);
      }
      repeat = Math.max(1, Math.round((repeat * onnx.backToBack) / percentiles(times).p50));
    }
    const js = idleCost(loop, idleMs, samples);
    if (sink < 0) throw new Error('unreachable');
    return { onnx, js };
  } finally {
    session.release();
  }
}
