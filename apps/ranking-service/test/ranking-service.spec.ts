import { credentials, status as Status } from '@grpc/grpc-js';
import {
  GetOnlineMetricsRequest,
  RankingServiceClient,
  RecommendRequest,
  RecordOutcomeRequest,
  UpsertItemsRequest,
} from '@recsys/contracts/ranking';
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

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await bootstrap(loadServiceConfig({ DATABASE_URL: db.url, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent' }));
    client = new RankingServiceClient(`127.0.0.1:${service.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    await db?.drop();
  });

  it('reports SERVING for the process and for recsys.ranking.v1.RankingService', async () => {
    expect(await checkHealth(`127.0.0.1:${service.port}`)).toBe(ServingStatus.SERVING);
    expect(await checkHealth(`127.0.0.1:${service.port}`, 'recsys.ranking.v1.RankingService')).toBe(ServingStatus.SERVING);
  });

  it.each([
    ['Recommend', () => unary(client.recommend.bind(client), RecommendRequest.fromPartial({ websiteId: WEBSITE, count: 5 }))],
    ['RecordOutcome', () => unary(client.recordOutcome.bind(client), RecordOutcomeRequest.fromPartial({}))],
    ['UpsertItems', () => unary(client.upsertItems.bind(client), UpsertItemsRequest.fromPartial({ websiteId: WEBSITE }))],
    ['GetOnlineMetrics', () => unary(client.getOnlineMetrics.bind(client), GetOnlineMetricsRequest.fromPartial({ websiteId: WEBSITE }))],
  ])('answers %s with UNIMPLEMENTED naming the issue that brings it', async (rpc, call) => {
    await expect(call()).rejects.toMatchObject({
      code: Status.UNIMPLEMENTED,
      details: `recsys.ranking.v1.RankingService/${rpc} is not implemented yet (issue #5: ranking service)`,
    });
  });
});
