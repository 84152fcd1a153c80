// The open-loop load of `npm run bench:ranking` (its p99 at half of max
// throughput), on its own so the load generator process (load-generator.ts)
// bundles nothing else.

/**
 * Open loop at a fixed rate for `seconds`: each call is sent at its scheduled
 * time (or up to 1 ms early: timers are no finer) and timed from whichever is
 * later, its schedule or its sending, so a stall anywhere, the load
 * generator's included, counts as the waiting it causes. The generator keeps
 * almost nothing per call (one slot of a preallocated array, no list of
 * promises): what it retains is what its garbage collector copies, and a list
 * of ~4,000 pending promises made its own pauses part of the tail it measured.
 * A call whose promise resolves to `false` (an error the caller counted itself,
 * e.g. a refusal under overload) gets NaN instead of a latency; a rejection
 * fails the run.
 */
export async function atRate(rate: number, seconds: number, once: (i: number) => Promise<unknown>): Promise<number[]> {
  const total = Math.floor(rate * seconds);
  const samples = new Float64Array(total);
  let pending = 0;
  let failure: unknown;
  let allDone: (() => void) | undefined;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const from = Math.max(due, performance.now());
    pending++;
    once(i).then(
      (result) => {
        samples[i] = result === false ? Number.NaN : performance.now() - from;
        if (--pending === 0) allDone?.();
      },
      (err) => {
        failure ??= err;
        if (--pending === 0) allDone?.();
      },
    );
  }
  if (pending > 0) await new Promise<void>((r) => (allDone = r));
  if (failure !== undefined) throw failure;
  return Array.from(samples);
}
