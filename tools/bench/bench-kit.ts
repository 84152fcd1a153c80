// What both benchmarks share: env knobs, output, latency sampling, and a
// throw-away migrated database that is dropped whatever happens.
import { quoteIdent, runMigrations, withClient, withDatabase } from '@recsys/db';
import { readFileSync } from 'node:fs';

/** BENCH_DATABASE_URL, else DATABASE_URL, else the machine's PostgreSQL. */
export const BENCH_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const envNumber = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

export const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * One sample of a Prometheus text exposition: the metric `name` whose labels
 * include every one of `labels` (others, such as a registry's default
 * `service` label, may be there too); NaN when there is none.
 */
export function metricSample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.split(',').includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return Number.NaN;
}

/** Reads `url` (a service's /metrics) and returns metricSample of it. */
export async function scrape(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricSample(await (await fetch(url)).text(), name, labels);
}

/** Nearest-rank percentiles of millisecond samples. */
export function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: p(0.5), p95: p(0.95), p99: p(0.99), n: s.length };
}

/** CPU time (user + system, ms) process `pid` has used so far, from /proc/<pid>/stat (Linux; CLK_TCK = 100). */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring the CPU process `pid` uses; the function returned gives the
 * µs per call since then for `calls` calls (undefined where there is no /proc).
 * Unlike latency, it does not depend on what else the machine is doing.
 */
export function cpuPerCall(pid: number | undefined): (calls: number) => number | undefined {
  const start = processCpuMs(pid);
  return (calls) => {
    const end = processCpuMs(pid);
    return start === undefined || end === undefined ? undefined : ((end - start) / calls) * 1000;
  };
}

/** Awaits `f` and returns how long it took, in ms. */
async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** `n` sequential calls after `warmUp` unmeasured ones; each call's latency in ms. */
export async function latencies(n: number, once: (i: number) => Promise<unknown>, warmUp = 0): Promise<number[]> {
  for (let i = 0; i < warmUp; i++) await once(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await timed(() => once(i)));
  return samples;
}

/**
 * Latencies of several targets called in turn, one call each per step, the
 * order reversed every other step (a, b, c, c, b, a, a, b, c, …; `n` calls
 * each, sequential, after `warmUp` unmeasured steps): all see the same
 * machine at the same moments, so drift in the machine's speed during a run
 * (other processes, CPU frequency, background flushes) favours none, and none
 * always follows the same other one.
 */
export async function latenciesInTurn(n: number, targets: readonly (() => Promise<unknown>)[], warmUp = 0): Promise<number[][]> {
  for (let i = 0; i < warmUp; i++) for (const t of targets) await t();
  const samples = targets.map((): number[] => []);
  const forward = [...targets.keys()];
  const backward = [...forward].reverse();
  for (let i = 0; i < n; i++) {
    for (const k of i % 2 === 0 ? forward : backward) samples[k]!.push(await timed(targets[k]!));
  }
  return samples;
}

/** latenciesInTurn for two targets (a, b, b, a, a, b, …). */
export async function interleavedLatencies(
  n: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  warmUp = 0,
): Promise<[number[], number[]]> {
  const [sa, sb] = await latenciesInTurn(n, [a, b], warmUp);
  return [sa!, sb!];
}

/** Creates `<prefix>_<time>`, migrates it, runs `body` with its URL, and drops it afterwards (also on failure). */
export async function withBenchDatabase(prefix: string, body: (url: string) => Promise<void>): Promise<void> {
  const name = `${prefix}_${Date.now()}`;
  await withClient(BENCH_ADMIN_URL, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  try {
    const url = withDatabase(BENCH_ADMIN_URL, name);
    await runMigrations({ databaseUrl: url });
    await body(url);
  } finally {
    await withClient(BENCH_ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  }
}
