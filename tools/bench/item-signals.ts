// `npm run bench:signals`: what one website's item-signal refresh costs as the
// interaction log grows — profile-service computing StreamItemSignals from
// BENCH_INTERACTIONS interactions over BENCH_ITEMS items, and ranking-service
// holding the answer in memory.
//
// The log is written through SQL (interaction-log.ts). Then, through the front door:
// profile-service computes the signals once (StreamItemSignals timed; each
// statement's time from its `profile_item_signals_seconds` histogram; its
// peak resident memory from /proc), and ranking-service, given the catalog
// through UpsertItems, loads them on its first Recommend (its resident memory
// before and after). Baseline in the same run: one `count(*)` over the
// website's interactions (SQL), the least any computation pays to read them.
// Then, with the signals in ranking-service, how long new behaviour takes to
// reach Recommend (signal-freshness.ts).
// Env: BENCH_INTERACTIONS (1,000,000), BENCH_ITEMS (10,000), BENCH_FRESHNESS_ROUNDS (5), BENCH_DATABASE_URL (see bench-kit).
import { credentials } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ProfileServiceClient, StreamItemSignalsResponse } from '@recsys/contracts/profile';
import { ItemType, RankingServiceClient, RecommendRequest, UpsertItemsRequest, type RecommendResponse } from '@recsys/contracts/ranking';
import { findFreePort, withClient } from '@recsys/db';
import { unary } from '@recsys/service-kit/testing';
import { envNumber, metricSample, out, percentiles, withBenchDatabase } from './bench-kit';
import { writeInteractionLog } from './interaction-log';
import { startApp, type StartedProcess } from './bench-processes';
import { DELTA_PARTS, measureFreshness, type Freshness } from './signal-freshness';

const INTERACTIONS = envNumber('BENCH_INTERACTIONS', 1_000_000);
const ITEMS = envNumber('BENCH_ITEMS', 10_000);
const ROUNDS = envNumber('BENCH_FRESHNESS_ROUNDS', 5);
const PARTS = ['popularity', 'co_visitation', 'next_items', 'bought_together', 'segments'] as const;

/** Resident memory of process `pid` in MB: now (VmRSS) or its peak (VmHWM). */
function memoryMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function writeLog(url: string, website: string) {
  await withClient(url, (c) => writeInteractionLog(c, website, INTERACTIONS, ITEMS));
}

async function run(url: string) {
  const metricsPort = await findFreePort();
  let profile: StartedProcess | undefined;
  let ranking: StartedProcess | undefined;
  try {
    // A TTL longer than the bench: exactly one computation.
    profile = await startApp('profile-service', { DATABASE_URL: url, METRICS_PORT: String(metricsPort), ITEM_SIGNALS_TTL_MS: String(86_400_000) });
    const profiles = new ProfileServiceClient(profile.address, credentials.createInsecure());
    const website = randomUUID();
    await unary(profiles.upsertWebsites.bind(profiles), { websites: [{ websiteId: website, name: 'signals bench', domain: '' }] });
    let t = performance.now();
    await writeLog(url, website);
    const loadSeconds = (performance.now() - t) / 1000;

    const baseline = await withClient(url, async (c) => {
      const start = performance.now();
      await c.query('SELECT count(*) FROM interactions WHERE website_id = $1', [website]);
      return (performance.now() - start) / 1000;
    });

    const rssBefore = memoryMb(profile.proc.child.pid, 'VmRSS');
    t = performance.now();
    let items = 0;
    let bytes = 0;
    let parts = 0;
    const call = profiles.streamItemSignals({ websiteId: website, knownVersion: '' }, { deadline: Date.now() + 3_600_000 });
    for await (const part of call as AsyncIterable<StreamItemSignalsResponse>) {
      parts++;
      items += part.items.length;
      bytes += StreamItemSignalsResponse.encode(part).finish().length;
    }
    const computeSeconds = (performance.now() - t) / 1000;
    const profilePeak = memoryMb(profile.proc.child.pid, 'VmHWM');
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    profiles.close();

    // ranking-service twice on the same catalog: without profile-service (the catalog alone), then with the signals.
    let freshness: Freshness | undefined;
    const rankingMemory = async (withSignals: boolean): Promise<number> => {
      ranking = await startApp('ranking-service', { DATABASE_URL: url, ...(withSignals ? { PROFILE_SERVICE_ADDR: profile!.address } : {}) });
      const client = new RankingServiceClient(ranking.address, credentials.createInsecure());
      try {
        if (!withSignals) {
          for (let i = 0; i < ITEMS; i += 1000) {
            const batch = Array.from({ length: Math.min(1000, ITEMS - i) }, (_, k) => ({ itemId: `item-${i + k}`, itemType: ItemType.ITEM_TYPE_PRODUCT, title: `item ${i + k}` }));
            await unary(client.upsertItems.bind(client), UpsertItemsRequest.fromPartial({ websiteId: website, items: batch }));
          }
        }
        const onItemPage = () =>
          unary<RecommendRequest, RecommendResponse>(
            client.recommend.bind(client),
            RecommendRequest.fromPartial({ websiteId: website, sessionId: randomUUID(), count: 10, dryRun: true, context: { itemId: 'item-0' } }),
          );
        await onItemPage();
        // With the signals: wait until item-0's page is answered from its neighbours (they are in).
        for (const deadline = Date.now() + 300_000; withSignals && (await onItemPage()).items[0]?.source !== 'co_visitation' && Date.now() < deadline; ) {
          await new Promise((r) => setTimeout(r, 500));
        }
        const memory = memoryMb(ranking.proc.child.pid, 'VmRSS');
        if (withSignals) freshness = await measureFreshness({ profile: profile!, ranking, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, website, items: ITEMS, rounds: ROUNDS, perRound: 100 });
        return memory;
      } finally {
        client.close();
        await ranking.stop();
        ranking = undefined;
      }
    };
    const rankingWithout = await rankingMemory(false);
    const rankingWith = await rankingMemory(true);

    out(`item-signal refresh: one website, ${INTERACTIONS.toLocaleString('en')} interactions over ${ITEMS.toLocaleString('en')} items (written through SQL in ${loadSeconds.toFixed(0)} s)`);
    out();
    out('| step | seconds | × baseline |');
    out('|---|---|---|');
    out(`| baseline: count(*) of the website's interactions (SQL) | ${baseline.toFixed(2)} | 1.0 |`);
    for (const p of PARTS) {
      const s = metricSample(metrics, 'profile_item_signals_seconds_sum', { part: p });
      out(`| ${p} | ${s.toFixed(2)} | ${(s / baseline).toFixed(1)} |`);
    }
    out(`| StreamItemSignals, first answer in full (the sum above + answer) | ${computeSeconds.toFixed(2)} | ${(computeSeconds / baseline).toFixed(1)} |`);
    out();
    out(`answer: ${items} items in ${parts} parts, ${(bytes / 1e6).toFixed(1)} MB; profile-service resident ${rssBefore.toFixed(0)} MB before, peak ${profilePeak.toFixed(0)} MB`);
    out(`ranking-service resident after a Recommend: ${rankingWithout.toFixed(0)} MB with the catalog alone, ${rankingWith.toFixed(0)} MB with the signals too`);
    out(`next computation of this website no sooner than max(ITEM_SIGNALS_TTL_MS, 4 × ${computeSeconds.toFixed(0)} s)`);
    if (freshness) {
      const f = freshness;
      const delays = percentiles(f.delays);
      out();
      out(`new behaviour → Recommend (${ROUNDS} rounds of 100 product views through TrackEvents; Recommend asked every 250 ms until item_signals_computed_at is after TrackEvents' answer; ranking refresh every CATALOG_REFRESH_INTERVAL_MS, 30 s):`);
      out(`delay per round: ${f.delays.map((d) => d.toFixed(1)).join(', ')} s (median ${delays.p50.toFixed(1)}, max ${Math.max(...f.delays).toFixed(1)})`);
      out(`${f.deltas} deltas, mean seconds per statement: ${DELTA_PARTS.map((p) => `${p} ${f.deltaSeconds[p]!.toFixed(3)}`).join(', ')}`);
      out(`Recommend every 20 ms meanwhile (${f.latency.n} calls): p50 ${f.latency.p50.toFixed(2)} ms, p99 ${f.latency.p99.toFixed(2)} ms, max ${f.latency.max.toFixed(1)} ms`);
      out(`CPU over the rounds (${f.wallSeconds.toFixed(0)} s): profile-service ${f.profileCpu.toFixed(1)} s, ranking-service ${f.rankingCpu.toFixed(1)} s`);
    }
  } finally {
    await ranking?.stop();
    await profile?.stop();
  }
}

withBenchDatabase('recsys_bench_signals', run).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
