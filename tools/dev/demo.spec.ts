import { credentials } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RankingServiceClient, RecommendRequest, type RecommendResponse } from '@recsys/contracts/ranking';
import { withClient } from '@recsys/db';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { unary } from '@recsys/service-kit/testing';
import { startApp, type StartedProcess } from '../bench/bench-processes';
import { DEMO_WEBSITE_ID, loadDemoIfEmpty } from './demo';

/** `npm start`'s demo, loaded into the three services as processes: an anonymous visitor is shown what the demo visitors did most. */
describe('the demo shop', () => {
  let db: TestDatabase;
  let dir: string;
  const apps: StartedProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'recsys-demo-'));
    apps.push(await startApp('profile-service', { DATABASE_URL: db.url, ITEM_SIGNALS_TTL_MS: '100' }));
    apps.push(await startApp('registry-service', { DATABASE_URL: db.url, ARTIFACT_DIR: join(dir, 'artifacts') }));
    apps.push(
      await startApp('ranking-service', {
        DATABASE_URL: db.url,
        PROFILE_SERVICE_ADDR: apps[0]!.address,
        REGISTRY_ADDR: apps[1]!.address,
        MODEL_CACHE_DIR: join(dir, 'models'),
        CATALOG_REFRESH_INTERVAL_MS: '200',
      }),
    );
  }, 90_000);
  afterAll(async () => {
    for (const app of apps.reverse()) await app.stop();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('an anonymous Recommend ranks first the item the demo visitors viewed and bought most (decayed, as documented)', async () => {
    const [profile, registry, ranking] = apps as [StartedProcess, StartedProcess, StartedProcess];
    expect(await loadDemoIfEmpty(db.url, { profile: profile.address, registry: registry.address, ranking: ranking.address }, () => undefined, { evenWithWebsites: false })).toBe(
      'loaded',
    );
    // The expected item, by the documented rule written here in SQL: views 1, purchases 5, halving every 30 days (ITEM_SIGNAL_HALF_LIFE_DAYS).
    const expected = await withClient(db.url, async (c) =>
      (
        await c.query<{ item_id: string }>(
          `SELECT item_id FROM interactions WHERE website_id = $1
            GROUP BY item_id
            ORDER BY sum(CASE kind WHEN 'purchase' THEN 5 ELSE 1 END * power(0.5, extract(epoch FROM now() - occurred_at) / (30 * 86400))) DESC LIMIT 1`,
          [DEMO_WEBSITE_ID],
        )
      ).rows.map((r) => r.item_id),
    );
    const client = new RankingServiceClient(ranking.address, credentials.createInsecure());
    try {
      const deadline = Date.now() + 30_000;
      let answer: RecommendResponse | undefined;
      // The model and the signals arrive on their own schedules: ask until both are in (bounded).
      for (;;) {
        answer = await unary<RecommendRequest, RecommendResponse>(
          client.recommend.bind(client),
          RecommendRequest.fromPartial({ websiteId: DEMO_WEBSITE_ID, sessionId: randomUUID(), count: 5, dryRun: true }),
        );
        if ((!answer.fallback && answer.items[0]?.itemId === expected[0]) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer.fallback).toBe(false);
      expect(answer.model?.version).toBe('demo-1');
      expect(answer.items[0]!.itemId).toBe(expected[0]);
    } finally {
      client.close();
    }
  }, 60_000);
});
