import { randomUUID } from 'node:crypto';
import { Event, EventType, type ProfileServiceClient } from '@recsys/contracts/profile';
import { findFreePort } from '@recsys/db';
import { unary } from '@recsys/service-kit/testing';
import { eventually, type Harness } from './support/harness';
import { startRankingWithProfile, type RankingWithProfile } from './support/profile-process';

/**
 * New behaviour reaches Recommend without a new full computation of the item
 * signals: profile-service runs with a TTL of a day, so after its first one
 * only its deltas can bring a product view in.
 */
describe('item signals: new behaviour through deltas alone', () => {
  let stack: RankingWithProfile;
  let h: Harness;
  let client: ProfileServiceClient;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await findFreePort();
    stack = await startRankingWithProfile({ METRICS_PORT: String(metricsPort), ITEM_SIGNALS_TTL_MS: '86400000' });
    ({ h } = stack);
    client = stack.profile.client;
  }, 60_000);
  afterAll(() => stack?.close(), 30_000);

  const views = (itemId: string, n: number, occurredAt: Date) =>
    Array.from({ length: n }, (_, i) =>
      Event.fromPartial({ eventId: randomUUID(), userId: `v-${itemId}-${i}`, sessionId: randomUUID(), occurredAt, type: EventType.EVENT_TYPE_PRODUCT_VIEW, itemId }),
    );
  const fullComputations = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('profile_item_signals_seconds_count{') && l.includes('part="popularity"'));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('a product view tracked after the only full computation changes the anonymous ranking, and the answer says when', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, ['sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5'].map((itemId) => ({ itemId })));
    // An hour old: before the full computation's cut-off, so the full computation counts them.
    await unary(client.trackEvents.bind(client), { websiteId: site, events: views('sku-2', 3, new Date(Date.now() - 3_600_000)) });
    await eventually(async () => {
      expect((await h.recommend({ websiteId: site, count: 5, dryRun: true })).items[0]!.itemId).toBe('sku-2');
    });
    expect(await fullComputations()).toBe(1);

    await unary(client.trackEvents.bind(client), { websiteId: site, events: views('sku-5', 6, new Date()) });
    const tracked = Date.now();
    const answer = await eventually(async () => {
      const res = await h.recommend({ websiteId: site, count: 5, dryRun: true });
      expect(res.items[0]!.itemId).toBe('sku-5');
      return res;
    });
    expect(answer.itemSignalsComputedAt!.getTime()).toBeGreaterThanOrEqual(tracked - 1_000);
    expect(await fullComputations()).toBe(1); // still the one full computation: a delta brought the views
  }, 30_000);
});
