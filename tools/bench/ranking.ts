// `npm run bench:ranking`: Recommend latency and throughput of ranking-service
// (its own process, as deployed) next to a bare grpc-js server answering the
// same request with a response of the same size, in the same run, also its own
// process (bare-ranking-server.ts; BENCHMARKS.md). The active model is a real ONNX MLP served
// through the real provider; the registry is the model tests' in-process
// gRPC double (WatchActiveModel + DownloadModel), so no registry-service is needed.
// Env: BENCH_DATABASE_URL (default $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_ITEMS (5000), BENCH_LOG_ROWS (200000), BENCH_CALLS (3000), BENCH_SECONDS (5), BENCH_CONCURRENCY (16),
// BENCH_SERVICE_FROM (build: both servers bundled as `npm run build` deploys them, the default; source: through tsx),
// BENCH_SERVICE_NODE_OPTIONS (NODE_OPTIONS of the service process), BENCH_SERVICE_NODE_ARGS (node flags of the
// service process, space-separated, for flags NODE_OPTIONS refuses: '--cpu-prof --cpu-prof-dir=/tmp/prof').
import { credentials } from '@grpc/grpc-js';
import { RankingServiceClient, RecommendRequest, RecommendResponse } from '@recsys/contracts/ranking';
import { spawnService, unary } from '@recsys/service-kit/testing';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { bundle } from '../build/build-app';
import { envNumber, interleavedLatencies, latencies, out, percentiles, cpuPerCall, withBenchDatabase } from './bench-kit';
import { ITEMS, LOG_ROWS, setUpRankingBench, startRanking } from './ranking-fixture';

const CALLS = envNumber('BENCH_CALLS', 3000);
const SECONDS = envNumber('BENCH_SECONDS', 5);
const CONCURRENCY = envNumber('BENCH_CONCURRENCY', 16);
const WARM_UP = Math.min(200, CALLS);

/** Closed loop, `concurrency` in flight for `seconds`: calls per second. */
async function maxThroughput(seconds: number, concurrency: number, once: (i: number) => Promise<unknown>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await once(done++);
    }),
  );
  return done / seconds;
}

/** Open loop at a fixed rate for `seconds`: latency of each call from its scheduled start. */
async function atRate(rate: number, seconds: number, once: (i: number) => Promise<unknown>): Promise<number[]> {
  const total = Math.floor(rate * seconds);
  const start = performance.now();
  const samples: Promise<number>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    samples.push(once(i).then(() => performance.now() - due));
  }
  return Promise.all(samples);
}

/**
 * The baseline server (bare-ranking-server.ts) as its own process, answering
 * `response`; bundled like the service (unless BENCH_SERVICE_FROM=source), so
 * both run compiled the same way.
 */
async function bareServer(response: RecommendResponse): Promise<{ address: string; pid?: number; stop: () => Promise<unknown> }> {
  let entry = join(__dirname, 'bare-ranking-server.ts');
  let outDir: string | undefined;
  if (process.env.BENCH_SERVICE_FROM !== 'source') {
    await mkdir(join(__dirname, '../../dist'), { recursive: true });
    outDir = await mkdtemp(join(__dirname, '../../dist/bench-bare-'));
    await bundle([entry], outDir);
    entry = join(outDir, 'bare-ranking-server.js');
  }
  const { proc, address } = await spawnService(entry, 'bare-ranking', {
    BARE_RESPONSE: Buffer.from(RecommendResponse.encode(response).finish()).toString('base64'),
  });
  return {
    address,
    pid: proc.child.pid,
    stop: async () => {
      proc.child.kill('SIGTERM');
      await proc.exited;
      if (outDir) await rm(outDir, { recursive: true, force: true });
    },
  };
}

async function main() {
  await withBenchDatabase('recsys_bench_ranking', run);
}

async function run(url: string) {
  const bench = await setUpRankingBench(url);
  let service: Awaited<ReturnType<typeof startRanking>> | undefined;
  let bare: Awaited<ReturnType<typeof bareServer>> | undefined;
  try {
    service = await startRanking(bench, url);
    const { recommend } = service;
    const { caller100, generated } = bench;

    const first = await recommend(caller100);
    if (first.fallback) throw new Error(`the model is not serving (fallback reason ${first.fallbackReason})`);
    const gen = await recommend({ ...generated, dryRun: true, explain: false });
    out(`ranking-service benchmark, node ${process.version}: ${ITEMS} catalog items, ${LOG_ROWS} log rows, model MLP ${bench.featureCount}-64-32-1 (${first.model?.version}), logging on`);
    out(`request: 100 caller candidates = ${RecommendRequest.encode(caller100).finish().length} bytes; response (count 10) = ${RecommendResponse.encode(first).finish().length} bytes; generated answer strategy ${gen.strategy}`);

    bare = await bareServer(first);
    const bareClient = new RankingServiceClient(bare.address, credentials.createInsecure());
    const bareCall = (req: RecommendRequest) => unary<RecommendRequest, RecommendResponse>(bareClient.recommend.bind(bareClient), req);

    const rows: string[] = [];
    const row = (name: string, p: { p50: number; p99: number; n: number }, cpu: string, extra = '') =>
      rows.push(`| ${name} | ${p.n} | ${p.p50.toFixed(3)} | ${p.p99.toFixed(3)} | ${cpu} | ${extra} |`);
    // Server CPU per call (user + system, from /proc): what each server itself spent, whatever the machine's load.
    const cpuOf = (pid: number | undefined) => {
      const perCall = cpuPerCall(pid);
      return (calls: number) => {
        const us = perCall(calls);
        return us === undefined ? 'n/a' : `${Math.round(us)} µs`;
      };
    };

    // Bare and service called alternately, so drift in the machine's speed during the run hits both alike.
    const [bareCpu, svcCpu] = [cpuOf(bare.pid), cpuOf(service.pid)];
    const [bareSamples, svcSamples] = await interleavedLatencies(CALLS, () => bareCall(caller100), () => recommend(caller100), WARM_UP);
    const [bare100, svc100] = [percentiles(bareSamples), percentiles(svcSamples)];
    row('bare grpc-js, same request/response sizes (calls alternate with the next row)', bare100, bareCpu(CALLS + WARM_UP));
    row('Recommend, 100 caller candidates', svc100, svcCpu(CALLS + WARM_UP), `${(svc100.p50 / bare100.p50).toFixed(2)}x bare p50 (goal ≤ 1.3x)`);
    const genCpu = cpuOf(service.pid);
    const svcGen = percentiles(await latencies(CALLS, () => recommend(generated), WARM_UP));
    row('Recommend, generated candidates (1,000 scored)', svcGen, genCpu(CALLS + WARM_UP), `goal p50 ≤ 5 ms`);

    const bareMax = await maxThroughput(SECONDS, CONCURRENCY, () => bareCall(caller100));
    const svcMax = await maxThroughput(SECONDS, CONCURRENCY, () => recommend(caller100));
    // Both servers at the same schedule: the bare server's tail is what the machine and the load
    // generator add by themselves. One unmeasured second at the rate first (JIT, pools, buffers).
    const rate = svcMax / 2;
    await atRate(rate, 1, () => bareCall(caller100));
    const bareOpenCpu = cpuOf(bare.pid);
    const bareHalf = percentiles(await atRate(rate, SECONDS, () => bareCall(caller100)));
    const bareOpen = bareOpenCpu(bareHalf.n);
    await atRate(rate, 1, () => recommend(caller100));
    const svcOpenCpu = cpuOf(service.pid);
    const half = percentiles(await atRate(rate, SECONDS, () => recommend(caller100)));
    row(`bare grpc-js, open loop at ${Math.round(rate)}/s (the same schedule)`, bareHalf, bareOpen);
    row(`Recommend, 100 caller candidates, open loop at ${Math.round(rate)}/s (half of max)`, half, svcOpenCpu(half.n), 'goal p99 ≤ 10 ms');

    out();
    out('| scenario | calls | p50 ms | p99 ms | server CPU per call | note |');
    out('|---|---|---|---|---|---|');
    for (const r of rows) out(r);
    out();
    out(`max throughput (closed loop, ${CONCURRENCY} in flight, ${SECONDS} s): bare ${Math.round(bareMax)}/s, Recommend ${Math.round(svcMax)}/s`);
    bareClient.close();
  } finally {
    await bare?.stop();
    await service?.stop();
    await bench.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
