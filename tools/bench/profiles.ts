// `npm run bench:profiles`: TrackEvents throughput and GetProfile latency of
// profile-service, each next to a baseline measured in the same run on the
// same machine (BENCHMARKS.md):
//  - raw SQL:  one `INSERT … SELECT unnest(…)` per batch of the same rows into
//              a plain table — what PostgreSQL alone takes to store them;
//  - bare gRPC: a grpc-js server that decodes the same TrackEvents / GetProfile
//              messages and answers a constant — the transport alone.
// The service runs as its own process (as deployed); this process is the client.
// Env: BENCH_DATABASE_URL (default $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_EVENTS (200000), BENCH_BATCH (1000), BENCH_CONCURRENCY (4), BENCH_USERS (5000), BENCH_GETS (5000);
// DERIVED_SETTLE_INTERVAL_MS is passed on to the service when set (its default otherwise).
import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Device, EventType, Profile, ProfileServiceClient, ProfileServiceService, type Event, type TrackEventsRequest } from '@recsys/contracts/profile';
import { findFreePort, withClient } from '@recsys/db';
import { spawnNode, unary, waitForServing } from '@recsys/service-kit/testing';
import { envNumber, latencies, metricSample, out, percentiles, withBenchDatabase } from './bench-kit';

const EVENTS = envNumber('BENCH_EVENTS', 200_000);
const BATCH = envNumber('BENCH_BATCH', 1000);
const CONCURRENCY = envNumber('BENCH_CONCURRENCY', 4);
const USERS = envNumber('BENCH_USERS', 5000);
const GETS = envNumber('BENCH_GETS', 5000);


/** A deterministic shop-like mix: 60% page views, 25% product views, 10% carts, 5% purchases. */
function makeBatches(websiteStart: Date): Event[][] {
  const sessions = Array.from({ length: USERS }, () => [randomUUID(), randomUUID(), randomUUID()]);
  const batches: Event[][] = [];
  for (let b = 0; b * BATCH < EVENTS; b++) {
    const batch: Event[] = [];
    for (let i = 0; i < BATCH && b * BATCH + i < EVENTS; i++) {
      const n = b * BATCH + i;
      const user = (n * 7919) % USERS;
      const r = n % 20;
      const type = r < 12 ? EventType.EVENT_TYPE_PAGE_VIEW : r < 17 ? EventType.EVENT_TYPE_PRODUCT_VIEW : r < 19 ? EventType.EVENT_TYPE_ADD_TO_CART : EventType.EVENT_TYPE_PURCHASE;
      const item = type === EventType.EVENT_TYPE_PAGE_VIEW ? '' : `sku-${(n * 31) % 2000}`;
      batch.push({
        eventId: `bench-${n}`,
        userId: `user-${user}`,
        sessionId: sessions[user][n % 3],
        occurredAt: new Date(websiteStart.getTime() + n * 1000),
        type,
        name: '',
        urlPath: type === EventType.EVENT_TYPE_PAGE_VIEW ? `/page/${n % 100}` : '',
        referrer: '',
        device: [Device.DEVICE_MOBILE, Device.DEVICE_DESKTOP, Device.DEVICE_TABLET][user % 3],
        timeOnPageSeconds: n % 120,
        scrollDepthPercent: n % 101,
        itemId: item,
        category: item ? `cat-${(n * 13) % 40}` : '',
        brand: item ? `brand-${(n * 17) % 25}` : '',
        price: item ? `${(n % 200) + 0.99}` : '',
        revenue: type === EventType.EVENT_TYPE_PURCHASE ? '42.50' : '',
        orderId: type === EventType.EVENT_TYPE_PURCHASE ? `order-${n}` : '',
      });
    }
    batches.push(batch);
  }
  return batches;
}

/** Runs `work(i)` for i in [0, count) with `concurrency` in flight; returns seconds taken. */
async function pool(count: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
}




/** A bare grpc-js ProfileService: decodes the request, answers a constant. */
async function bareServer(profile: unknown): Promise<{ port: number; stop: () => void }> {
  const server = new Server();
  server.addService(ProfileServiceService, {
    trackEvents: (call: { request: TrackEventsRequest }, cb: (e: null, r: unknown) => void) =>
      cb(null, { acceptedCount: call.request.events.length, duplicateCount: 0, profilesUpdatedCount: 0 }),
    getProfile: (_c: unknown, cb: (e: null, r: unknown) => void) => cb(null, { profile }),
    listProfiles: (_c: unknown, cb: (e: null, r: unknown) => void) => cb(null, { profiles: [], nextPageToken: '' }),
    deleteProfile: (_c: unknown, cb: (e: null, r: unknown) => void) => cb(null, {}),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, stop: () => server.forceShutdown() };
}

/** Mean server-side handling time of one method, from the service's Prometheus histogram. */
async function serverMeanMs(metricsPort: number, method: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const read = (suffix: string) => metricSample(text, `grpc_server_handling_seconds_${suffix}`, { grpc_method: method });
  return (read('sum') / read('count')) * 1000;
}

async function main() {
  await withBenchDatabase('recsys_bench_profiles', run);
}

async function run(url: string) {
  let service: ReturnType<typeof spawnNode> | undefined;
  try {
    const website = randomUUID();
    await withClient(url, (c) => c.query(`INSERT INTO website (website_id, name) VALUES ($1, 'bench')`, [website]));
    const start = new Date(Date.now() - EVENTS * 1000 - 60_000);
    const batches = makeBatches(start);
    out(`profile-service benchmark: ${EVENTS} events in batches of ${BATCH}, ${CONCURRENCY} in flight, ${USERS} users, node ${process.version}`);

    // Baseline 1: the same rows into a plain table with one INSERT … unnest per batch.
    await withClient(url, (c) =>
      c.query(`CREATE TABLE bench_raw_events (website_id uuid, event_id text, user_id text, session_id uuid, occurred_at timestamptz,
        kind text, device text, top int, sd int, item text, cat text, brand text, price numeric, revenue numeric, order_id text)`),
    );
    const { Pool } = await import('pg');
    const raw = new Pool({ connectionString: url, max: CONCURRENCY });
    const rawSeconds = await pool(batches.length, CONCURRENCY, (i) => {
      const b = batches[i];
      const col = (f: (e: Event) => unknown) => b.map(f);
      return raw.query(
        `INSERT INTO bench_raw_events SELECT $1, * FROM unnest($2::text[], $3::text[], $4::uuid[], $5::timestamptz[], $6::int[], $7::int[], $8::int[], $9::int[],
          $10::text[], $11::text[], $12::text[], $13::numeric[], $14::numeric[], $15::text[])`,
        [website, col((e) => e.eventId), col((e) => e.userId), col((e) => e.sessionId), col((e) => e.occurredAt!.toISOString()), col((e) => e.type),
          col((e) => e.device), col((e) => e.timeOnPageSeconds), col((e) => e.scrollDepthPercent), col((e) => e.itemId || null),
          col((e) => e.category || null), col((e) => e.brand || null), col((e) => e.price || null), col((e) => e.revenue || null), col((e) => e.orderId || null)],
      );
    });
    await raw.end();

    // Baseline 2: a bare grpc-js server decoding the same messages.
    const bare = await bareServer(Profile.fromPartial({ websiteId: website, userId: 'user-1', favoriteCategories: ['cat-1'], totalRevenue: '0.0000' }));
    const bareClient = new ProfileServiceClient(`127.0.0.1:${bare.port}`, credentials.createInsecure());
    const bareSeconds = await pool(batches.length, CONCURRENCY, (i) => unary(bareClient.trackEvents.bind(bareClient), { websiteId: website, events: batches[i] }));
    const bareGet = percentiles(await latencies(GETS, () => unary(bareClient.getProfile.bind(bareClient), { websiteId: website, userId: 'user-1' })));
    bareClient.close();
    bare.stop();

    // The service, as its own process.
    const [grpcPort, metricsPort] = [await findFreePort(), await findFreePort()];
    service = spawnNode(join(__dirname, '../../apps/profile-service/src/main.ts'), {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      GRPC_PORT: String(grpcPort),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      ...(process.env.DERIVED_SETTLE_INTERVAL_MS ? { DERIVED_SETTLE_INTERVAL_MS: process.env.DERIVED_SETTLE_INTERVAL_MS } : {}),
    });
    await waitForServing(`127.0.0.1:${grpcPort}`);
    const client = new ProfileServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
    const trackSeconds = await pool(batches.length, CONCURRENCY, (i) => unary(client.trackEvents.bind(client), { websiteId: website, events: batches[i] }));
    const replaySeconds = await pool(batches.length, CONCURRENCY, (i) => unary(client.trackEvents.bind(client), { websiteId: website, events: batches[i] }));
    const get = percentiles(await latencies(GETS, (i) => unary(client.getProfile.bind(client), { websiteId: website, userId: `user-${(i * 104729) % USERS}` })));
    const serverGet = await serverMeanMs(metricsPort, 'GetProfile');
    const serverTrack = await serverMeanMs(metricsPort, 'TrackEvents');
    client.close();

    const rate = (s: number) => Math.round(EVENTS / s).toLocaleString('en-US');
    const ms = (v: number) => v.toFixed(3);
    out();
    out('| measurement | result |');
    out('|---|---|');
    out(`| TrackEvents, profile-service (new events) | **${rate(trackSeconds)} events/s** (${trackSeconds.toFixed(2)} s; server mean ${ms(serverTrack)} ms per batch incl. replays) |`);
    out(`| TrackEvents, profile-service (replay: all duplicates) | ${rate(replaySeconds)} events/s |`);
    out(`| baseline: raw INSERT … unnest of the same rows, no aggregation | ${rate(rawSeconds)} rows/s |`);
    out(`| baseline: bare grpc-js server decoding the same batches | ${rate(bareSeconds)} events/s |`);
    out(`| GetProfile, profile-service, client round trip | p50 ${ms(get.p50)} ms, p95 ${ms(get.p95)} ms, p99 ${ms(get.p99)} ms |`);
    out(`| GetProfile, profile-service, server's own time (mean, metrics histogram) | ${ms(serverGet)} ms |`);
    out(`| baseline: GetProfile on a bare grpc-js server (constant answer) | p50 ${ms(bareGet.p50)} ms, p95 ${ms(bareGet.p95)} ms, p99 ${ms(bareGet.p99)} ms |`);
  } finally {
    if (service) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:profiles failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
