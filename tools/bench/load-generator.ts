// The open-loop load generator of `npm run bench:ranking`, as its own small
// process (bundled, plain node): the bench process holds ~55 MB of heap (tsx,
// the fixture, pg), and its full garbage collections (15–35 ms every few
// seconds at ~1,000 calls/s) were most of the p99 it measured, for the bare
// server as much as for the service. This process holds only grpc-js and the
// generated codec. Env: LOAD_TARGET (host:port), LOAD_REQUEST (base64
// RecommendRequest), LOAD_RATE (calls/s), LOAD_SECONDS, LOAD_WARM_SECONDS
// (unmeasured first, at the same rate). Prints one JSON line: {"latencies":[ms…]}.
import { credentials } from '@grpc/grpc-js';
import { RankingServiceClient, RecommendRequest, type RecommendResponse } from '@recsys/contracts/ranking';
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
  const rate = Number(env('LOAD_RATE'));
  await atRate(rate, Number(process.env.LOAD_WARM_SECONDS ?? 1), call);
  const latencies = await atRate(rate, Number(env('LOAD_SECONDS')), call);
  client.close();
  process.stdout.write(`${JSON.stringify({ latencies })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
