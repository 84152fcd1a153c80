import { credentials } from '@grpc/grpc-js';
import { RankingServiceClient, RecommendRequest } from '@recsys/contracts/ranking';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import type { StartedService } from '@recsys/service-kit';
import { checkHealth, ServingStatus, unary } from '@recsys/service-kit/testing';
import { bootstrap } from '../src/bootstrap';
import { loadServiceConfig } from '../src/config';

const WEBSITE = '3f1c2b8e-0000-4000-8000-000000000001';

describe('ranking-service', () => {
  let db: TestDatabase;
  let service: StartedService;
  let client: RankingServiceClient;
  let sql: Client;
  let cacheDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    // An empty model cache of its own: the default directory may hold a model from another run.
    cacheDir = await mkdtemp(join(tmpdir(), 'recsys-ranking-test-'));
    service = await bootstrap(loadServiceConfig({ DATABASE_URL: db.url, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', MODEL_CACHE_DIR: cacheDir }));
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    client = new RankingServiceClient(`127.0.0.1:${service.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    await sql?.end();
    await db?.drop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('reports SERVING for the process and for recsys.ranking.v1.RankingService', async () => {
    expect(await checkHealth(`127.0.0.1:${service.port}`)).toBe(ServingStatus.SERVING);
    expect(await checkHealth(`127.0.0.1:${service.port}`, 'recsys.ranking.v1.RankingService')).toBe(ServingStatus.SERVING);
  });

  it('answers Recommend for a known website with an empty catalog: no items, flagged as the heuristic', async () => {
    await sql.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [WEBSITE, 'site']);
    const res = await unary(client.recommend.bind(client), RecommendRequest.fromPartial({ websiteId: WEBSITE, sessionId: WEBSITE, count: 5 }));
    expect(res).toMatchObject({ items: [], fallback: true, strategy: 'heuristic' });
  });
});
