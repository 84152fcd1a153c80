// The load-generator runs the ranking benches share: the bench's own processes
// (the bare server and load-generator.ts) bundled like the service, the bare
// server's process, and the open-loop and closed-loop runs of the load generator.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RecommendRequest, RecommendResponse } from '@recsys/contracts/ranking';
import { withClient } from '@recsys/db';
import { spawnNode, spawnService } from '@recsys/service-kit/testing';
import { bundle } from '../build/build-app';

/**
 * The bench's own processes — the baseline server (bare-ranking-server.ts) and
 * the load generator (load-generator.ts) — bundled like the service
 * (unless BENCH_SERVICE_FROM=source), so every process runs compiled the same way.
 */
export async function benchEntries(): Promise<{ bare: string; loadGenerator: string; cleanUp: () => Promise<void> }> {
  const sources = { bare: join(__dirname, 'bare-ranking-server.ts'), loadGenerator: join(__dirname, 'load-generator.ts') };
  if (process.env.BENCH_SERVICE_FROM === 'source') return { ...sources, cleanUp: async () => undefined };
  await mkdir(join(__dirname, '../../dist'), { recursive: true });
  const outDir = await mkdtemp(join(__dirname, '../../dist/bench-tools-'));
  await bundle([sources.bare, sources.loadGenerator], outDir);
  return {
    bare: join(outDir, 'bare-ranking-server.js'),
    loadGenerator: join(outDir, 'load-generator.js'),
    cleanUp: () => rm(outDir, { recursive: true, force: true }),
  };
}

/** The baseline server (`entry`: benchEntries().bare) as its own process, answering `response` to every call. */
export async function bareServer(entry: string, response: RecommendResponse): Promise<{ address: string; pid?: number; stop: () => Promise<unknown> }> {
  const { proc, address } = await spawnService(entry, 'bare-ranking', {
    BARE_RESPONSE: Buffer.from(RecommendResponse.encode(response).finish()).toString('base64'),
  });
  return { address, pid: proc.child.pid, stop: () => (proc.child.kill('SIGTERM'), proc.exited) };
}

/** Runs the load generator process against `address` with `request` and `load` (its LOAD_* settings); its one JSON line. */
export async function loadGenerator<T>(entry: string, address: string, request: RecommendRequest, load: Record<string, string>): Promise<T> {
  const proc = spawnNode(entry, {
    PATH: process.env.PATH,
    LOAD_TARGET: address,
    LOAD_REQUEST: Buffer.from(RecommendRequest.encode(request).finish()).toString('base64'),
    LOAD_WARM_SECONDS: '1',
    ...load,
  });
  const code = await proc.exited;
  const line = proc.output().split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`the load generator failed (exit ${code}):\n${proc.output()}`);
  return JSON.parse(line) as T;
}

export interface OpenLoopRun {
  /** Of the answered calls, ms. */
  latencies: number[];
  /** The generator's own event-loop delay meanwhile (its share of the tail), ms. */
  loopDelay: { p99: number; max: number };
  sent: number;
  /** Failed calls by status name (only with a deadline: without one a failure fails the run). */
  failed: Record<string, number>;
}

/**
 * `request` at `rate` calls/s for `seconds` (after one unmeasured second). With
 * `deadlineMs`, each call has that deadline and failures are counted, not fatal.
 */
export const openLoop = (entry: string, address: string, request: RecommendRequest, rate: number, seconds: number, deadlineMs = 0) =>
  loadGenerator<OpenLoopRun>(entry, address, request, {
    LOAD_RATE: String(rate),
    LOAD_SECONDS: String(seconds),
    LOAD_DEADLINE_MS: String(deadlineMs),
  });

/** Closed loop, `concurrency` calls in flight for `seconds` (after one unmeasured second): calls per second. */
export const maxThroughput = async (entry: string, address: string, request: RecommendRequest, seconds: number, concurrency: number) =>
  (await loadGenerator<{ callsPerSecond: number }>(entry, address, request, { LOAD_CONCURRENCY: String(concurrency), LOAD_SECONDS: String(seconds) }))
    .callsPerSecond;

/** The note of an open-loop row: the load generator's own event-loop delay. */
export const generatorNote = (r: { loopDelay: { p99: number; max: number } }) =>
  `load generator's event-loop delay p99 ${r.loopDelay.p99.toFixed(1)} ms, max ${r.loopDelay.max.toFixed(1)} ms`;

/**
 * Before an open-loop run: let the service's log buffer drain, then vacuum
 * what the previous phase wrote, so autovacuum does not start on the same two
 * cores in the middle of the next run (it did: a row run after a logging phase
 * took that phase's maintenance as its own tail).
 */
export async function settleLog(url: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 1_000));
  await withClient(url, (c) => c.query('VACUUM (ANALYZE) recommendations'));
}
