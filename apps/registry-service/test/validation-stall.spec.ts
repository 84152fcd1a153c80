import { buildTreeEnsembleModel, randomTreeEnsemble } from '@recsys/onnx';
import * as ort from 'onnxruntime-node';
import { call, startRegistry, upload, type RegistryKit } from './registry-test-kit';

/**
 * The longest event-loop stall (ms) while `work` runs: a 1 ms ticker records
 * the largest gap between its callbacks beyond the 1 ms it asked for. (A
 * perf_hooks histogram misses a stall that ends the measurement, as a
 * synchronous model load does.)
 */
async function maxStallDuring(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let max = 0;
  const tick = () => {
    const now = performance.now();
    max = Math.max(max, now - last - 1);
    last = now;
  };
  const timer = setInterval(tick, 1);
  try {
    await work();
    await new Promise((r) => setTimeout(r, 5)); // let the ticker see the end of a stall
  } finally {
    clearInterval(timer);
  }
  return max;
}

describe('validation off the event loop', () => {
  let kit: RegistryKit;
  beforeAll(async () => {
    kit = await startRegistry();
    await upload(kit.client, 'small', '1', buildTreeEnsembleModel({ trees: [{ value: 1 }], featureNames: ['a'] }));
  });
  afterAll(() => kit?.close());

  it('a big model validates without stalling a concurrent GetModel (relative to its load time on the event loop)', async () => {
    const featureNames = Array.from({ length: 20 }, (_, i) => `user.f${i}`);
    const bytes = buildTreeEnsembleModel({ trees: randomTreeEnsemble({ trees: 800, depth: 8, features: 20, seed: 11 }), featureNames });

    // What validating it on the event loop would cost: onnxruntime loads synchronously.
    const loadStall = await maxStallDuring(async () => {
      const session = await ort.InferenceSession.create(bytes);
      await session.release();
    });

    let uploading = true;
    const getLatencies: number[] = [];
    const uploadStall = await maxStallDuring(async () => {
      const probe = (async () => {
        while (uploading) {
          const t = performance.now();
          await call(kit.client, 'getModel', { name: 'small', version: '1' });
          getLatencies.push(performance.now() - t);
        }
      })();
      await upload(kit.client, 'big', '1', bytes, { chunkBytes: 256 * 1024 }).finally(() => (uploading = false));
      await probe;
    });
    const worstGet = Math.max(...getLatencies);
    // Printed so regressions can be read off the test log.
    console.log({ modelBytes: bytes.length, loadStallMs: loadStall, uploadStallMs: uploadStall, gets: getLatencies.length, worstGetMs: worstGet });
    expect(getLatencies.length).toBeGreaterThan(3);
    expect(uploadStall).toBeLessThan(loadStall / 4);
    expect(worstGet).toBeLessThan(loadStall / 2);
  }, 60_000);
});
