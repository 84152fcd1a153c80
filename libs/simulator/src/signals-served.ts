import type { Metadata } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { RecommendRequest, type RankingServiceClient, type RecommendResponse } from '@recsys/contracts/ranking';

/**
 * Waits until ranking answers with item signals computed after `loaded` (a
 * bulk load of history): RecommendResponse.item_signals_computed_at says
 * which computation an answer used. Measuring before that measures whichever
 * partial copy ranking happened to hold. True when seen within `timeoutMs`,
 * false when not.
 */
export async function untilSignalsServed(ranking: RankingServiceClient, websiteId: string, loaded: Date, md: Metadata, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await new Promise<RecommendResponse>((resolve, reject) =>
      ranking.recommend(RecommendRequest.fromPartial({ websiteId, sessionId: randomUUID(), count: 1, dryRun: true }), md, (err, res) => (err ? reject(err) : resolve(res))),
    );
    if (answer.itemSignalsComputedAt && answer.itemSignalsComputedAt >= loaded) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
