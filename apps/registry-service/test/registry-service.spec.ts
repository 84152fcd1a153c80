import { Metadata, status as Status } from '@grpc/grpc-js';
import { buildLinearModel } from '@recsys/onnx';
import { checkHealth, ServingStatus } from '@recsys/service-kit/testing';
import { call, startRegistry, upload, type RegistryKit } from './registry-test-kit';

const ADMIN = 'admin-token-0123456789';
const SERVICE = 'service-token-0123456789';
const bearer = (token: string) => {
  const md = new Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
};

describe('registry-service', () => {
  let kit: RegistryKit;
  beforeAll(async () => {
    kit = await startRegistry({ AUTH_ADMIN_TOKENS: ADMIN, AUTH_SERVICE_TOKENS: SERVICE });
  });
  afterAll(() => kit?.close());

  it('reports SERVING for the process and for recsys.registry.v1.ModelRegistry', async () => {
    expect(await checkHealth(`127.0.0.1:${kit.service.port}`)).toBe(ServingStatus.SERVING);
    expect(await checkHealth(`127.0.0.1:${kit.service.port}`, 'recsys.registry.v1.ModelRegistry')).toBe(ServingStatus.SERVING);
  });

  it('writes need an admin credential; reads accept a service credential; no credential is UNAUTHENTICATED', async () => {
    const bytes = buildLinearModel({ weights: [1], bias: 0, featureNames: ['user.a'] });
    await expect(upload(kit.client, 'auth', '1', bytes, { metadata: bearer(SERVICE) })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(upload(kit.client, 'auth', '1', bytes)).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    await upload(kit.client, 'auth', '1', bytes, { metadata: bearer(ADMIN) });

    const writes: [Parameters<typeof call>[1], object][] = [
      ['activateModel', { name: 'auth', version: '1' }],
      ['deactivateModel', { name: 'auth', version: '1' }],
      ['rollbackModel', { name: 'auth' }],
      ['updateModelStatus', { name: 'auth', version: '1', status: 4 }],
      ['updateModelMetrics', { name: 'auth', version: '1', metrics: { auc: 0.5 } }],
      ['deleteModel', { name: 'auth', version: '1' }],
    ];
    for (const [method, request] of writes) {
      await expect(call(kit.client, method, request, bearer(SERVICE))).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
      await expect(call(kit.client, method, request)).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    }
    await call(kit.client, 'activateModel', { name: 'auth', version: '1' }, bearer(ADMIN));

    expect((await call(kit.client, 'getModel', { name: 'auth', version: '1' }, bearer(SERVICE))).model.isActive).toBe(true);
    expect((await call(kit.client, 'getActiveModel', { name: 'auth' }, bearer(SERVICE))).model.version).toBe('1');
    expect((await call(kit.client, 'listModels', {}, bearer(SERVICE))).models).toHaveLength(1);
    await expect(call(kit.client, 'getModel', { name: 'auth', version: '1' })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
  });
});
