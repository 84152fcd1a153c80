// How long new behaviour takes to reach Recommend on a large log (part of
// `npm run bench:signals`): live events go in through TrackEvents, and
// Recommend is asked until its answer's `item_signals_computed_at` is at or
// after the moment TrackEvents acknowledged them, i.e. until ranking-service
// serves signals computed with them. All through the front door.
import { credentials } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { Event, EventType, ProfileServiceClient } from '@recsys/contracts/profile';
import { RankingServiceClient, RecommendRequest, type RecommendResponse } from '@recsys/contracts/ranking';
import { unary } from '@recsys/service-kit/testing';
import { metricSample, percentiles, processCpuMs } from './bench-kit';
import type { StartedProcess } from './bench-processes';

export const DELTA_PARTS = ['delta_popularity', 'delta_co_visitation', 'delta_next_items', 'delta_bought_together', 'delta_segments'] as const;

export interface Freshness {
  /** Seconds from TrackEvents' answer to the first Recommend that used signals computed after it, per round. */
  delays: number[];
  /** Deltas computed, and their mean time per part (seconds). */
  deltas: number;
  deltaSeconds: Record<string, number>;
  /** Latency (ms) of Recommend calls made every 20 ms throughout the rounds, by a second caller: what refreshes cost callers. */
  latency: ReturnType<typeof percentiles> & { max: number };
  /** CPU seconds each process used over the rounds, and the rounds' wall seconds. */
  profileCpu: number;
  rankingCpu: number;
  wallSeconds: number;
}

/** `rounds` batches of `perRound` product views by new visitors of random items, each waited on through Recommend. */
export async function measureFreshness(o: { profile: StartedProcess; ranking: StartedProcess; metricsUrl: string; website: string; items: number; rounds: number; perRound: number }): Promise<Freshness> {
  const profiles = new ProfileServiceClient(o.profile.address, credentials.createInsecure());
  const ranking = new RankingServiceClient(o.ranking.address, credentials.createInsecure());
  const recommend = () =>
    unary<RecommendRequest, RecommendResponse>(ranking.recommend.bind(ranking), RecommendRequest.fromPartial({ websiteId: o.website, sessionId: randomUUID(), count: 10, dryRun: true }));
  const metricsBefore = await (await fetch(o.metricsUrl)).text();
  const cpu = () => [processCpuMs(o.profile.proc.child.pid) ?? NaN, processCpuMs(o.ranking.proc.child.pid) ?? NaN];
  const [profileCpu0, rankingCpu0] = cpu();
  const started = performance.now();
  const delays: number[] = [];
  // A steady caller beside the rounds: a refresh that blocks ranking's event loop shows in its latencies.
  const latencies: number[] = [];
  let stop = false;
  const steady = (async () => {
    while (!stop) {
      const t = performance.now();
      await recommend();
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    for (let round = 0; round < o.rounds; round++) {
      // A random pause, so rounds do not keep the same phase against ranking's refresh.
      await new Promise((r) => setTimeout(r, Math.random() * 10_000));
      const now = new Date();
      const events = Array.from({ length: o.perRound }, (_, i) =>
        Event.fromPartial({
          eventId: `fresh-${round}-${i}-${randomUUID()}`,
          userId: `fresh-visitor-${round}-${i % 20}`,
          sessionId: randomUUID(),
          type: EventType.EVENT_TYPE_PRODUCT_VIEW,
          occurredAt: now,
          itemId: `item-${Math.floor(Math.random() * o.items)}`,
        }),
      );
      await unary(profiles.trackEvents.bind(profiles), { websiteId: o.website, events });
      const acknowledged = Date.now();
      for (;;) {
        const answer = await recommend();
        // Computed after the acknowledgement: its statements saw the committed events (conservative by the round trip).
        if ((answer.itemSignalsComputedAt?.getTime() ?? 0) >= acknowledged) break;
        if (Date.now() - acknowledged > 600_000) throw new Error('new behaviour did not reach Recommend within 10 minutes');
        await new Promise((r) => setTimeout(r, 250));
      }
      delays.push((Date.now() - acknowledged) / 1000);
    }
  } finally {
    stop = true;
    await steady.catch(() => undefined);
    profiles.close();
    ranking.close();
  }
  const [profileCpu1, rankingCpu1] = cpu();
  const metrics = await (await fetch(o.metricsUrl)).text();
  const delta = (name: string, part: string) => metricSample(metrics, name, { part }) - (metricSample(metricsBefore, name, { part }) || 0);
  const deltas = delta('profile_item_signals_seconds_count', 'delta_popularity');
  return {
    delays,
    latency: { ...percentiles(latencies), max: Math.max(...latencies) },
    deltas,
    deltaSeconds: Object.fromEntries(DELTA_PARTS.map((p) => [p, delta('profile_item_signals_seconds_sum', p) / Math.max(1, delta('profile_item_signals_seconds_count', p))])),
    profileCpu: (profileCpu1! - profileCpu0!) / 1000,
    rankingCpu: (rankingCpu1! - rankingCpu0!) / 1000,
    wallSeconds: (performance.now() - started) / 1000,
  };
}
