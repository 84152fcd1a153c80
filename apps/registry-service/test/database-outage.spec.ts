import { status as Status } from '@grpc/grpc-js';
import { buildLinearModel } from '@recsys/onnx';
import { call, startRegistry, upload, type RegistryKit } from './registry-test-kit';

/**
 * PostgreSQL unreachable: every call that needs the database answers UNAVAILABLE
 * (the contract's promise: retry with backoff), never INTERNAL, and the registry
 * serves again once the database is back.
 */
describe('registry with PostgreSQL down', () => {
  let kit: RegistryKit;
  let restore: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    kit = await startRegistry();
    await upload(kit.client, 'outage', 'v1', buildLinearModel({ weights: [1], bias: 0, featureNames: ['user.a'] }));
  }, 30_000);
  afterAll(async () => {
    await restore?.();
    await kit?.close();
  }, 30_000);

  it('answers UNAVAILABLE with a message, then serves again', async () => {
    restore = await kit.db.outage();
    const unavailable = { code: Status.UNAVAILABLE, details: expect.stringMatching(/database is unreachable; retry/) };
    await expect(call(kit.client, 'listModels', {})).rejects.toMatchObject(unavailable);
    await expect(call(kit.client, 'activateModel', { name: 'outage', version: 'v1' })).rejects.toMatchObject(unavailable);
    await expect(call(kit.client, 'getActiveModel', { name: 'outage' })).rejects.toMatchObject(unavailable);
    await restore();
    restore = undefined;
    const activated = await call(kit.client, 'activateModel', { name: 'outage', version: 'v1' });
    expect(activated.model).toMatchObject({ name: 'outage', version: 'v1', isActive: true });
  }, 30_000);
});
