// The baseline of `npm run bench:ranking`: a bare grpc-js RankingService in its
// own process, like the service it is compared with (so both sides pay the same
// process boundary and neither shares the load generator's event loop). It
// decodes each request with the same generated codec and answers a constant
// response: BARE_RESPONSE, a base64 RecommendResponse of the service's size.
// Prints the "<name> serving" line service-kit's spawnService waits for; exits on SIGTERM.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { RankingServiceService, RecommendResponse } from '@recsys/contracts/ranking';

const response = RecommendResponse.decode(Buffer.from(process.env.BARE_RESPONSE ?? '', 'base64'));
const server = new Server();
const nope = (_c: unknown, cb: (e: null, r: unknown) => void) => cb(null, {});
server.addService(RankingServiceService, {
  recommend: (_c: unknown, cb: (e: null, r: unknown) => void) => cb(null, response),
  recordOutcome: nope,
  upsertItems: nope,
  getOnlineMetrics: nope,
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ msg: 'bare-ranking serving', grpc: `127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
