// `npm run bench:ranking:ab -- <checkout A> [<checkout B>]`: ranking-service
// from two checkouts (B defaults to this one) side by side against the same
// database, model and requests, called alternately (A, B, B, A, …), so
// machine drift hits both alike: p50 and server CPU per call of each, per
// round. Separate runs of `bench:ranking` on a shared 2-core machine vary by
// ±20 %; this is how a change is measured. Both servers are pinned to the last
// CPU and this load generator to the first when `taskset` exists (Linux), so
// neither server is favoured by where the scheduler puts it.
// A checkout needs its own node_modules (their @recsys links point into it):
//   git worktree add /tmp/base <commit> && cp -al node_modules /tmp/base/
// Env: BENCH_MODE=caller|generated (caller: 100 caller candidates), BENCH_DRY_RUN=1 (calls with dry_run: nothing
// logged — to compare checkouts whose log schema differs, e.g. across a migration of `recommendations`), BENCH_CALLS (2000 per round and server),
// BENCH_ROUNDS (3), BENCH_A_NODE_ARGS / BENCH_B_NODE_ARGS (node flags of one server, default
// BENCH_SERVICE_NODE_ARGS: the same checkout twice with different flags compares runtime settings,
// e.g. `BENCH_B_NODE_ARGS=--single-threaded-gc npm run bench:ranking:ab -- .`), plus bench:ranking's
// BENCH_ITEMS, BENCH_LOG_ROWS, BENCH_SERVICE_NODE_OPTIONS. BENCH_A_ENV / BENCH_B_ENV: settings of
// one server, space-separated NAME=value (e.g. BENCH_B_ENV=LOG_FLUSH_ROWS=100), to compare configurations.
// BENCH_OPEN_RATE=<calls/s> compares tails instead: each round runs bench:ranking's open loop
// (100 caller candidates, logging on, the separate load-generator process, BENCH_OPEN_SECONDS
// each, 15) against A and against B in turn (the order alternates by round), after the same
// log settling, and reports p50, p99 and max of each; nothing is pinned, as in bench:ranking.
// BENCH_OPEN_DEADLINE_MS gives each open-loop call that deadline (an overload run: a rate past
// max, e.g. BENCH_B_ENV=RECOMMEND_MAX_WAIT_MS=20 against the default, off) and adds what share of
// the calls was answered in time and how the others failed; latencies are of the answered ones.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { RecommendRequest } from '@recsys/contracts/ranking';
import { envNumber, interleavedLatencies, out, percentiles, cpuPerCall, withBenchDatabase } from './bench-kit';
import { benchEntries, openLoop, settleLog, type OpenLoopRun } from './load-runs';
import { setUpRankingBench, startRanking, type RankingProcess } from './ranking-fixture';

const CALLS = envNumber('BENCH_CALLS', 2000);
const ROUNDS = envNumber('BENCH_ROUNDS', 3);
const MODE = process.env.BENCH_MODE ?? 'caller';
const DRY_RUN = process.env.BENCH_DRY_RUN === '1';
const OPEN_RATE = envNumber('BENCH_OPEN_RATE', 0);
const OPEN_SECONDS = envNumber('BENCH_OPEN_SECONDS', 15);
const OPEN_DEADLINE_MS = envNumber('BENCH_OPEN_DEADLINE_MS', 0);
const serverEnv = [process.env.BENCH_A_ENV, process.env.BENCH_B_ENV].map((list) =>
  Object.fromEntries(
    (list ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((kv) => {
        const at = kv.indexOf('=');
        if (at < 1) throw new Error(`BENCH_A_ENV / BENCH_B_ENV: expected NAME=value, got ${JSON.stringify(kv)}`);
        return [kv.slice(0, at), kv.slice(at + 1)];
      }),
  ),
);
const nodeArgs = [process.env.BENCH_A_NODE_ARGS, process.env.BENCH_B_NODE_ARGS].map((a) => a ?? process.env.BENCH_SERVICE_NODE_ARGS ?? '');

/** Pins `pid` (all its threads) to `cpu`; false where taskset is missing. */
function pin(pid: number | undefined, cpu: number): boolean {
  if (pid === undefined) return false;
  try {
    execFileSync('taskset', ['-a', '-pc', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function run(url: string, roots: string[]) {
  const bench = await setUpRankingBench(url);
  const servers: RankingProcess[] = [];
  try {
    for (const [i, root] of roots.entries()) servers.push(await startRanking(bench, url, root, nodeArgs[i], serverEnv[i]));
    const last = cpus().length - 1;
    const pinned = OPEN_RATE === 0 && last > 0 && pin(process.pid, 0) && servers.every((s) => pin(s.pid, last));
    const request = { ...(MODE === 'generated' ? bench.generated : bench.caller100), dryRun: DRY_RUN };
    for (const [i, s] of servers.entries()) {
      const answer = await s.recommend(request);
      if (answer.fallback) throw new Error(`${roots[i]}: the model is not serving (fallback reason ${answer.fallbackReason})`);
    }
    for (let i = 0; i < 300; i++) for (const s of servers) await s.recommend(request);
    if (OPEN_RATE > 0) {
      await openRounds(url, roots, servers, bench.caller100);
      return;
    }
    out(`ranking-service A/B, node ${process.version}, ${MODE === 'generated' ? 'generated candidates' : '100 caller candidates'}${DRY_RUN ? ', dry_run (nothing logged)' : ''}, ${CALLS} calls per round and server, ${pinned ? `servers pinned to CPU ${last}, load generator to CPU 0` : 'not pinned'}`);
    describeServers(roots, servers);
    out();
    out('| round | A p50 ms | B p50 ms | B/A p50 | A CPU µs/call | B CPU µs/call | B/A CPU |');
    out('|---|---|---|---|---|---|---|');
    for (let round = 1; round <= ROUNDS; round++) {
      const cpu = servers.map((s) => cpuPerCall(s.pid));
      const samples = await interleavedLatencies(CALLS, () => servers[0]!.recommend(request), () => servers[1]!.recommend(request));
      const [a, b] = samples.map((x) => percentiles(x).p50) as [number, number];
      const [ca, cb] = cpu.map((perCall) => perCall(CALLS) ?? NaN) as [number, number];
      out(`| ${round} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(b / a).toFixed(2)} | ${ca.toFixed(0)} | ${cb.toFixed(0)} | ${(cb / ca).toFixed(2)} |`);
    }
  } finally {
    for (const s of servers) await s.stop();
    await bench.close();
  }
}

/** The header lines naming A and B: checkout, where the model scores, node flags and settings. */
function describeServers(roots: string[], servers: RankingProcess[]) {
  for (const [i, name] of ['A', 'B'].entries()) {
    const s = servers[i]!;
    const flags = s.nodeArgs.length > 0 ? `, node ${s.nodeArgs.join(' ')}` : '';
    const settings = Object.entries(serverEnv[i]!).map(([k, v]) => `, ${k}=${v}`);
    out(`${name} = ${roots[i]} (model scores on: ${s.scoresOn()}${flags}${settings.join('')})`);
  }
}

/** BENCH_OPEN_RATE: open-loop rounds, A and B in turn; tails of each. */
async function openRounds(url: string, roots: string[], servers: RankingProcess[], request: RecommendRequest) {
  const entries = await benchEntries();
  try {
    const deadline = OPEN_DEADLINE_MS > 0 ? `, deadline ${OPEN_DEADLINE_MS} ms per call` : '';
    out(`ranking-service A/B, node ${process.version}, open loop at ${OPEN_RATE}/s for ${OPEN_SECONDS} s per server and round${deadline}, 100 caller candidates, logging on`);
    describeServers(roots, servers);
    out();
    out(`| round | A p50 / p99 / max ms${deadline && ' (answered)'} | B p50 / p99 / max ms${deadline && ' (answered)'} | B/A p99 |${deadline && ' A answered / failed | B answered / failed |'}`);
    out(`|---|---|---|---|${deadline && '---|---|'}`);
    for (let round = 1; round <= ROUNDS; round++) {
      const p99: number[] = [];
      const cells: string[] = [];
      const outcomes: string[] = [];
      for (const k of round % 2 === 1 ? [0, 1] : [1, 0]) {
        await settleLog(url);
        const run = await openLoop(entries.loadGenerator, servers[k]!.address, request, OPEN_RATE, OPEN_SECONDS, OPEN_DEADLINE_MS);
        if (run.latencies.length === 0) {
          p99[k] = Number.NaN;
          cells[k] = 'nothing answered';
        } else {
          const p = percentiles(run.latencies);
          p99[k] = p.p99;
          cells[k] = `${p.p50.toFixed(2)} / ${p.p99.toFixed(1)} / ${Math.max(...run.latencies).toFixed(1)}`;
        }
        outcomes[k] = answeredCell(run);
      }
      out(`| ${round} | ${cells[0]} | ${cells[1]} | ${(p99[1]! / p99[0]!).toFixed(2)} |${deadline && ` ${outcomes[0]} | ${outcomes[1]} |`}`);
    }
  } finally {
    await entries.cleanUp();
  }
}

/** "93.1 % / RESOURCE_EXHAUSTED 5.2 %, DEADLINE_EXCEEDED 1.7 %": the answered share and each failure's. */
function answeredCell(run: OpenLoopRun): string {
  const pct = (n: number) => `${((100 * n) / run.sent).toFixed(1)} %`;
  const failures = Object.entries(run.failed).map(([code, n]) => `${code} ${pct(n)}`);
  return `${pct(run.latencies.length)} / ${failures.join(', ') || 'none'}`;
}

const roots = process.argv.slice(2).map((p) => resolve(p));
if (roots.length === 1) roots.push(resolve(__dirname, '../..'));
if (roots.length !== 2) {
  process.stderr.write('usage: npm run bench:ranking:ab -- <checkout A> [<checkout B, default: this one>]\n');
  process.exit(2);
}
withBenchDatabase('recsys_bench_ranking_ab', (url) => run(url, roots)).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
