// LoadedModel's release rule, step by step, with a worker whose runs the test
// finishes by hand: a retired session is released only when no call is in
// flight and the grace period has passed, never while a run is pending.
import { LoadedModel } from '../src/model/loaded-model';
import { ModelScoringError } from '../src/model/model-provider';
import type { OnnxWorker } from '../src/model/onnx-worker';

class ManualWorker {
  /** resolve() with no scores answers 0.5 per row. */
  readonly runs: { resolve: (s?: Float32Array) => void; reject: (e: Error) => void }[] = [];
  readonly released: number[] = [];
  run(_id: number, _features: Float32Array, rows: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => this.runs.push({ resolve: (s) => resolve(s ?? new Float32Array(rows).fill(0.5)), reject }));
  }
  release(id: number): void {
    this.released.push(id);
  }
}

const identity = { name: 'default', version: 'v1', sha256: 'a'.repeat(64), featureNames: ['a', 'b'], inputName: 'features', outputName: 'score' };

function model(worker: ManualWorker, releaseGraceMs = 0): LoadedModel {
  return new LoadedModel(identity, worker as unknown as OnnxWorker, 7, { releaseGraceMs, onReleased: () => undefined }).retain();
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('LoadedModel release', () => {
  it('waits for every in-flight call before releasing a retired session', async () => {
    const worker = new ManualWorker();
    const m = model(worker);
    const first = m.score(new Float32Array(4), 2);
    const second = m.score(new Float32Array(4), 2);
    m.unref(); // swapped out while two calls run
    await tick();
    expect(worker.released).toEqual([]);
    worker.runs[0]!.resolve();
    await first;
    await tick();
    expect(worker.released).toEqual([]);
    worker.runs[1]!.resolve();
    await expect(second).resolves.toEqual(new Float32Array([0.5, 0.5]));
    expect(worker.released).toEqual([7]);
    expect(m.isReleased).toBe(true);
  });

  it('stays usable during the grace period for callers that took it just before the swap', async () => {
    const worker = new ManualWorker();
    const m = model(worker, 60_000);
    m.unref();
    const late = m.score(new Float32Array(2), 1);
    worker.runs[0]!.resolve();
    await expect(late).resolves.toHaveLength(1);
    expect(worker.released).toEqual([]);
    m.retain(); // swapped back in (a rollback) before the grace ended: not released
    m.forceRelease();
    expect(worker.released).toEqual([7]);
  });

  it('turns worker failures and non-finite scores into ModelScoringError, and checks the matrix size', async () => {
    const worker = new ManualWorker();
    const m = model(worker);
    await expect(m.score(new Float32Array(3), 2)).rejects.toThrow(ModelScoringError);
    const failing = m.score(new Float32Array(2), 1);
    worker.runs[0]!.reject(new Error('boom'));
    await expect(failing).rejects.toThrow(/boom/);
    const nan = m.score(new Float32Array(2), 1);
    worker.runs[1]!.resolve(new Float32Array([NaN]));
    await expect(nan).rejects.toThrow(/non-finite/);
    expect(m.inFlightCalls).toBe(0);
  });

  it("releases a small model's service-thread session with the worker's, only after its in-flight calls", async () => {
    const worker = new ManualWorker();
    const runs: (() => void)[] = [];
    let localReleases = 0;
    const local = {
      run: (_f: Float32Array, rows: number) => new Promise<Float32Array>((resolve) => runs.push(() => resolve(new Float32Array(rows).fill(0.25)))),
      release: () => void localReleases++,
    };
    const m = new LoadedModel(identity, worker as unknown as OnnxWorker, 7, { releaseGraceMs: 0, onReleased: () => undefined, local }).retain();
    expect(m.runsOnMainThread).toBe(true);
    const call = m.score(new Float32Array(2), 1);
    expect(worker.runs).toHaveLength(0); // scored on the service thread, not sent to the worker
    m.unref();
    await tick();
    expect(localReleases).toBe(0);
    expect(worker.released).toEqual([]);
    runs[0]!();
    await expect(call).resolves.toEqual(new Float32Array([0.25]));
    expect(localReleases).toBe(1);
    expect(worker.released).toEqual([7]);
    await expect(m.score(new Float32Array(2), 1)).rejects.toThrow(ModelScoringError);
  });
});
