import { credentials } from '@grpc/grpc-js';
import { RankingServiceClient, Item, RecommendRequest, type RecommendResponse, UpsertItemsRequest } from '@recsys/contracts/ranking';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { unary } from '@recsys/service-kit/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { bootstrap, type RankingService } from '../../src/bootstrap';
import { loadServiceConfig } from '../../src/config';
import type { ModelProvider } from '../../src/model/model-provider';

/** A hand-built row of the log: [model_version, strategy, shown_at, clicked, converted, revenue]. */
export type LogRow = [string | null, string, string, boolean, boolean, string | null];

/** A real ranking-service on a fresh test database, with a gRPC client. */
export interface Harness {
  db: TestDatabase;
  sql: Client;
  service: RankingService;
  client: RankingServiceClient;
  recommend(req: Partial<RecommendRequest>): Promise<RecommendResponse>;
  upsert(websiteId: string, items: Partial<Item>[]): Promise<void>;
  newWebsite(): Promise<string>;
  /** Writes log rows with SQL: item 'i', type product, each in its own session. */
  logRows(websiteId: string, rows: readonly LogRow[]): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: { env?: Record<string, string>; modelProvider?: ModelProvider; now?: () => Date } = {}): Promise<Harness> {
  const db = await createTestDatabase();
  // Its own empty model cache: the repository's default (.data/model-cache) may hold a model from another run.
  const cacheDir = await mkdtemp(join(tmpdir(), 'recsys-ranking-test-'));
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const service = await bootstrap(
    loadServiceConfig({
      DATABASE_URL: db.url,
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'silent',
      LOG_FLUSH_INTERVAL_MS: '20',
      MODEL_CACHE_DIR: cacheDir,
      // Tests write log rows with SQL, then refresh the website (UpsertItems): re-read the aggregates every time.
      BEHAVIOUR_REFRESH_INTERVAL_MS: '0',
      ...options.env,
    }),
    { modelProvider: options.modelProvider, now: options.now },
  );
  const client = new RankingServiceClient(`127.0.0.1:${service.port}`, credentials.createInsecure());
  const harness: Harness = {
    db,
    sql,
    service,
    client,
    recommend: (req) => unary(client.recommend.bind(client), RecommendRequest.fromPartial({ sessionId: randomUUID(), ...req })),
    upsert: async (websiteId, items) => {
      await unary(client.upsertItems.bind(client), UpsertItemsRequest.fromPartial({ websiteId, items }));
    },
    newWebsite: async () => {
      const id = randomUUID();
      await sql.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [id, 'test site']);
      return id;
    },
    logRows: async (websiteId, rows) => {
      for (const [modelVersion, strategy, shownAt, clicked, converted, revenue] of rows) {
        await harness.sql.query(
          `INSERT INTO recommendations (website_id, session_id, item_id, model_version, strategy, recommendation_type, shown_at, clicked, converted, revenue)
           VALUES ($1, $2, 'i', $3, $4, 'product', $5, $6, $7, $8)`,
          [websiteId, randomUUID(), modelVersion, strategy, shownAt, clicked, converted, revenue],
        );
      }
    },
    close: async () => {
      client.close();
      await service.close();
      // A test may have replaced the client (after a database outage): end the current one.
      await harness.sql.end().catch(() => undefined);
      await db.drop();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Polls until `check` passes (for off-request-path effects such as the batched log). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
