import { credentials, status as Status } from '@grpc/grpc-js';
import { ProfileServiceClient } from '@recsys/contracts/profile';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import type { StartedService } from '@recsys/service-kit';
import { checkHealth, ServingStatus, unary } from '@recsys/service-kit/testing';
import { bootstrap } from '../src/bootstrap';
import { loadServiceConfig } from '../src/config';

const WEBSITE = '3f1c2b8e-0000-4000-8000-000000000001';

describe('profile-service', () => {
  let db: TestDatabase;
  let service: StartedService;
  let client: ProfileServiceClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await bootstrap(loadServiceConfig({ DATABASE_URL: db.url, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent' }));
    client = new ProfileServiceClient(`127.0.0.1:${service.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    await db?.drop();
  });

  it('reports SERVING for the process and for recsys.profile.v1.ProfileService', async () => {
    expect(await checkHealth(`127.0.0.1:${service.port}`)).toBe(ServingStatus.SERVING);
    expect(await checkHealth(`127.0.0.1:${service.port}`, 'recsys.profile.v1.ProfileService')).toBe(ServingStatus.SERVING);
  });

  it('answers GetProfile for an unknown website with NOT_FOUND', async () => {
    await expect(unary(client.getProfile.bind(client), { websiteId: WEBSITE, userId: 'u1' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it('serves its metrics over HTTP', async () => {
    const res = await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/grpc_server_handled_total\{[^}]*grpc_method="GetProfile"[^}]*grpc_code="NOT_FOUND"[^}]*\} 1/);
  });
});
