import { credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import * as registry from '@recsys/contracts/registry';
import { ModelRegistryClient } from '@recsys/contracts/registry';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import type { StartedService } from '@recsys/service-kit';
import { checkHealth, ServingStatus, unary } from '@recsys/service-kit/testing';
import { bootstrap } from '../src/bootstrap';
import { loadServiceConfig } from '../src/config';

const pendingMessage = (rpc: string) => `recsys.registry.v1.ModelRegistry/${rpc} is not implemented yet (issue #3: model registry)`;

describe('registry-service', () => {
  let db: TestDatabase;
  let service: StartedService;
  let client: ModelRegistryClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    service = await bootstrap(loadServiceConfig({ DATABASE_URL: db.url, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent' }));
    client = new ModelRegistryClient(`127.0.0.1:${service.port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    await db?.drop();
  });

  it('reports SERVING for the process and for recsys.registry.v1.ModelRegistry', async () => {
    expect(await checkHealth(`127.0.0.1:${service.port}`)).toBe(ServingStatus.SERVING);
    expect(await checkHealth(`127.0.0.1:${service.port}`, 'recsys.registry.v1.ModelRegistry')).toBe(ServingStatus.SERVING);
  });

  it.each(['ActivateModel', 'DeactivateModel', 'RollbackModel', 'GetModel', 'ListModels', 'GetActiveModel', 'UpdateModelStatus', 'UpdateModelMetrics', 'DeleteModel'])(
    'answers %s with UNIMPLEMENTED naming the issue that brings it',
    async (rpc) => {
      const method = (client as unknown as Record<string, (...a: unknown[]) => unknown>)[rpc[0].toLowerCase() + rpc.slice(1)];
      const request = (registry as unknown as Record<string, { fromPartial(o: object): unknown }>)[`${rpc}Request`].fromPartial({});
      await expect(unary(method.bind(client) as never, request)).rejects.toMatchObject({ code: Status.UNIMPLEMENTED, details: pendingMessage(rpc) });
    },
  );

  it('answers the streaming RPCs with UNIMPLEMENTED too', async () => {
    const upload = await new Promise<ServiceError | null>((resolve) => {
      const call = client.uploadModel((err) => resolve(err));
      call.end();
    });
    expect(upload).toMatchObject({ code: Status.UNIMPLEMENTED, details: pendingMessage('UploadModel') });

    for (const [rpc, stream] of [
      ['DownloadModel', client.downloadModel(registry.DownloadModelRequest.fromPartial({ name: 'm', version: '1' }))],
      ['WatchActiveModel', client.watchActiveModel(registry.WatchActiveModelRequest.fromPartial({ name: 'm' }))],
    ] as const) {
      const err = await new Promise<ServiceError | null>((resolve) => {
        stream.on('error', resolve);
        stream.on('end', () => resolve(null));
        stream.on('data', () => undefined);
      });
      expect(err).toMatchObject({ code: Status.UNIMPLEMENTED, details: pendingMessage(rpc) });
    }
  });
});
