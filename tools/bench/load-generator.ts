// The load generator of `npm run bench:ranking` (open and closed loop), as its own small
// process (bundled, plain node): the bench process holds ~55 MB of heap (tsx,
// the fixture, pg), and its full garbage collections (15–35 ms every few
// seconds at ~1,000 calls/s) were most of the p99 it measured, for the bare
// server as much as for the service. This process holds only grpc-js and the
// generated codec. Env: LOAD_TARGET (host:port), LOAD_REQUEST (base64
// RecommendRequest), LOAD_RATE (calls/s; or LOAD_CONCURRENCY: a closed loop with that many
// calls in flight, which prints {"callsPerSecond":n}), LOAD_SECONDS, LOAD_WARM_SECONDS
// (unmeasured first, at the same rate), LOAD_DEADLINE_MS (open loop only: each call's
// deadline; then failed calls are counted by status, not fatal). Prints one JSON line:
// {"latencies":[ms… of the answered calls],"loopDelay":{"p99":ms,"max":ms},"sent":n,
// "failed":{"<status>":n}} — loopDelay is the generator's own event-loop delay while
// measuring: a tail it causes itself shows there.
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { RankingServiceClient, RecommendRequest, type RecommendResponse } from '@recsys/contracts/ranking';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { atRate } from './open-loop';

async function main() {
  const env = (name: string) => {
    const v = process.env[name];
    if (v === undefined || v === '') throw new Error(`${name} is required`);
    return v;
  };
  const client = new RankingServiceClient(env('LOAD_TARGET'), credentials.createInsecure());
  const request = RecommendRequest.decode(Buffer.from(env('LOAD_REQUEST'), 'base64'));
  const call = () =>
    new Promise<RecommendResponse>((resolve, reject) => client.recommend(request, (err, res) => (err ? reject(err) : resolve(res!))));
  const callWithin = (ms: number) =>
    new Promise<RecommendResponse>((resolve, reject) =>
      client.recommend(request, new Metadata(), { deadline: Date.now() + ms }, (err, res) => (err ? reject(err) : resolve(res!))),
    );
  if (process.env.LOAD_CONCURRENCY) {
    const concurrency = Number(process.env.LOAD_CONCURRENCY);
    await closedLoop(call, concurrency, Number(process.env.LOAD_WARM_SECONDS ?? 1));
    const callsPerSecond = await closedLoop(call, concurrency, Number(env('LOAD_SECONDS')));
    client.close();
    process.stdout.write(`${JSON.stringify({ callsPerSecond })}\n`);
    return;
  }
  const rate = Number(env('LOAD_RATE'));
  const deadlineMs = Number(process.env.LOAD_DEADLINE_MS ?? 0);
  const failed: Record<string, number> = {};
  // With a deadline, failures are part of what is measured (refused, too late): counted, the run goes on.
  const counted = (err: ServiceError) => {
    const name = status[err.code] ?? String(err.code);
    failed[name] = (failed[name] ?? 0) + 1;
    return false;
  };
  const once = deadlineMs > 0 ? () => callWithin(deadlineMs).then(() => true, counted) : call;
  await atRate(rate, Number(process.env.LOAD_WARM_SECONDS ?? 1), once);
  for (const k of Object.keys(failed)) delete failed[k];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const samples = await atRate(rate, Number(env('LOAD_SECONDS')), once);
  delay.disable();
  client.close();
  const loopDelay = { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
  const latencies = samples.filter((ms) => !Number.isNaN(ms));
  process.stdout.write(`${JSON.stringify({ latencies, loopDelay, sent: samples.length, failed })}\n`);
}

/** `concurrency` calls in flight for `seconds`, each caller sending its next call on the answer: calls per second. */
async function closedLoop(call: () => Promise<unknown>, concurrency: number, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await call();
        done++;
      }
    }),
  );
  return done / seconds;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
