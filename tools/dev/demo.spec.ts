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
import { DEMO_MODEL_VERSION, DEMO_WEBSITE_ID, loadDemoIfEmpty } from './demo';

/** `npm start`'s demo, loaded into the three services as processes: it learns from its own traffic. */
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

  it('trains and activates a model from the simulated traffic; Recommend ranks with it; without a model an anonymous visitor is shown what the demo visitors did most', async () => {
    const [profile, registry, ranking] = apps as [StartedProcess, StartedProcess, StartedProcess];
    const lines: string[] = [];
    const client = new RankingServiceClient(ranking.address, credentials.createInsecure());
    const ask = (modelName: string) =>
      unary<RecommendRequest, RecommendResponse>(client.recommend.bind(client), RecommendRequest.fromPartial({ websiteId: DEMO_WEBSITE_ID, sessionId: randomUUID(), count: 5, dryRun: true, modelName }));
    let firstBeforeLearning: string | undefined;
    let expected: string[] = [];
    const onHistoryServed = async () => {
      // The expected item, by the documented rule written here in SQL: views 1, carts 3, purchases 5, halving every 30 days (ITEM_SIGNAL_HALF_LIFE_DAYS).
      expected = await withClient(db.url, async (c) =>
        (
          await c.query<{ item_id: string }>(
            `SELECT item_id FROM interactions WHERE website_id = $1
              GROUP BY item_id
              ORDER BY sum(CASE kind WHEN 'purchase' THEN 5 WHEN 'add_to_cart' THEN 3 WHEN 'item_view' THEN 0.5 ELSE 1 END * power(0.5, extract(epoch FROM now() - occurred_at) / (30 * 86400))) DESC LIMIT 1`,
            [DEMO_WEBSITE_ID],
          )
        ).rows.map((r) => r.item_id),
      );
      // A model name nothing is active under: the behaviour heuristic ranks, from the history alone.
      firstBeforeLearning = (await ask('none-active')).items[0]?.itemId;
    };
    try {
      expect(await loadDemoIfEmpty(db.url, { profile: profile.address, registry: registry.address, ranking: ranking.address }, (l) => lines.push(l), { evenWithWebsites: false, onHistoryServed })).toBe('loaded');
      // An anonymous visitor was shown first what the demo's visitors viewed, carted and bought most.
      expect(firstBeforeLearning).toBe(expected[0]);
      // The before/after it prints: CTR with the heuristic, the trained model's validation NDCG, CTR with the model.
      expect(lines.join('\n')).toMatch(/ranked by the behaviour heuristic: CTR 0\.\d{3}[\s\S]*validation NDCG@10: trained 0\.\d{3}, heuristic 0\.\d{3}[\s\S]*ranked by the trained model: CTR 0\.\d{3}/);
      // The active model is the trained one, with the metrics recsys train measured; no hand-set weights.
      const model = await withClient(db.url, async (c) =>
        (await c.query<{ algorithm: string; metrics: Record<string, number> }>("SELECT algorithm, metrics FROM ml_models WHERE name = 'default' AND is_active")).rows,
      );
      expect(model).toEqual([{ algorithm: 'lambdamart', metrics: expect.objectContaining({ 'ndcg@10': expect.any(Number), 'heuristic_ndcg@10': expect.any(Number) }) }]);

      const withModel = await ask('');
      expect(withModel.model?.version).toBe(DEMO_MODEL_VERSION);
      expect(withModel.items).toHaveLength(5);
    } finally {
      client.close();
    }
  }, 180_000);
});
