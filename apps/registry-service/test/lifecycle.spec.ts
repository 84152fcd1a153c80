import { status as Status } from '@grpc/grpc-js';
import { ModelStatus } from '@recsys/contracts/registry';
import { buildLinearModel } from '@recsys/onnx';
import { artifactFiles, call, sql, startRegistry, upload, type RegistryKit } from './registry-test-kit';

const SITE = '5f1d8c1e-2b7a-4f5e-9d36-9f1c0a9e4c1b';
const model = (bias: number) => buildLinearModel({ weights: [1, 2], bias, featureNames: ['user.a', 'item.b'] });

describe('activation, rollback and the lifecycle', () => {
  let kit: RegistryKit;
  const c = (method: Parameters<typeof call>[1], request: object) => call(kit.client, method, request);
  const versionsOf = async (name: string, n: number, websiteId = '') => {
    for (let i = 1; i <= n; i++) await upload(kit.client, name, `v${i}`, model(i + name.length / 10 + (websiteId ? 0.5 : 0)), { header: { websiteId } });
  };
  const active = async (name: string) => (await sql(kit.db, 'SELECT version, website_id FROM ml_models WHERE name = $1 AND is_active ORDER BY version', [name])).map((r) => r.version);

  beforeAll(async () => {
    kit = await startRegistry();
    await sql(kit.db, `INSERT INTO website (website_id, name) VALUES ($1, 'shop')`, [SITE]);
  });
  afterAll(() => kit?.close());

  it('activates one version at a time: the previous one is returned and deactivated, deployed_at stamped, validating → production', async () => {
    await versionsOf('act', 2);
    const first = await c('activateModel', { name: 'act', version: 'v1' });
    expect(first.model).toMatchObject({ version: 'v1', isActive: true, status: ModelStatus.MODEL_STATUS_PRODUCTION });
    expect(first.model.deployedAt).toBeInstanceOf(Date);
    expect(first.previousModel).toBeUndefined();
    const second = await c('activateModel', { name: 'act', version: 'v2' });
    expect(second.previousModel).toMatchObject({ version: 'v1', isActive: false });
    expect(await active('act')).toEqual(['v2']);
    const again = await c('activateModel', { name: 'act', version: 'v2' });
    expect(again.model.deployedAt).toEqual(second.model.deployedAt);
    expect(again.previousModel).toBeUndefined();
    await expect(c('activateModel', { name: 'act', version: 'nope' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it('50 concurrent activations across versions leave exactly one active', async () => {
    await versionsOf('race', 5);
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => c('activateModel', { name: 'race', version: `v${(i % 5) + 1}` })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await active('race')).toHaveLength(1);
  });

  it('rolls back through the activation history, skipping archived versions, then refuses', async () => {
    await versionsOf('rb', 4);
    for (const v of ['v1', 'v2', 'v3', 'v4']) await c('activateModel', { name: 'rb', version: v });
    await c('activateModel', { name: 'rb', version: 'v3' }); // history: v1 v2 v3 v4 v3
    const back = await c('rollbackModel', { name: 'rb' });
    expect([back.model.version, back.rolledBackModel.version]).toEqual(['v4', 'v3']);
    expect((await c('rollbackModel', { name: 'rb' })).model.version).toBe('v3');
    await c('updateModelStatus', { name: 'rb', version: 'v2', status: ModelStatus.MODEL_STATUS_ARCHIVED });
    expect((await c('rollbackModel', { name: 'rb' })).model.version).toBe('v1');
    expect(await active('rb')).toEqual(['v1']);
    await expect(c('rollbackModel', { name: 'rb' })).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION, details: expect.stringContaining('no earlier version') });
    await expect(c('rollbackModel', { name: 'never' })).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION, details: expect.stringContaining('no active version') });
    await expect(c('rollbackModel', { name: 'rb', websiteId: 'x' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
  });

  it('resolves the serving version website-specific first, else global; scopes activate independently', async () => {
    await versionsOf('scoped', 1);
    await upload(kit.client, 'scoped', 'site1', model(9), { header: { websiteId: SITE } });
    await expect(c('getActiveModel', { name: 'scoped', websiteId: SITE })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await c('activateModel', { name: 'scoped', version: 'v1' });
    expect((await c('getActiveModel', { name: 'scoped', websiteId: SITE })).model.version).toBe('v1');
    await c('activateModel', { name: 'scoped', version: 'site1' });
    expect((await c('getActiveModel', { name: 'scoped', websiteId: SITE })).model.version).toBe('site1');
    expect((await c('getActiveModel', { name: 'scoped' })).model.version).toBe('v1');
    expect(await active('scoped')).toEqual(['site1', 'v1']);
    const off = await c('deactivateModel', { name: 'scoped', version: 'site1' });
    expect(off.wasActive).toBe(true);
    expect((await c('deactivateModel', { name: 'scoped', version: 'site1' })).wasActive).toBe(false);
    expect((await c('getActiveModel', { name: 'scoped', websiteId: SITE })).model.version).toBe('v1');
    await expect(c('getActiveModel', { name: '' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
  });

  it('enforces the status lifecycle: only validated versions activate, the active one cannot be archived', async () => {
    await versionsOf('life', 2);
    await c('activateModel', { name: 'life', version: 'v1' });
    await expect(c('updateModelStatus', { name: 'life', version: 'v1', status: ModelStatus.MODEL_STATUS_ARCHIVED })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: 'life@v1 is active: activate another version or deactivate it before archiving',
    });
    await expect(c('updateModelStatus', { name: 'life', version: 'v2', status: ModelStatus.MODEL_STATUS_TRAINING })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: 'life@v2: cannot change status from validating to training; allowed from validating: production, archived',
    });
    await expect(c('updateModelStatus', { name: 'life', version: 'v2', status: ModelStatus.MODEL_STATUS_UNSPECIFIED })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    const archived = await c('updateModelStatus', { name: 'life', version: 'v2', status: ModelStatus.MODEL_STATUS_ARCHIVED });
    expect(archived.model.status).toBe(ModelStatus.MODEL_STATUS_ARCHIVED);
    await expect(c('activateModel', { name: 'life', version: 'v2' })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: 'life@v2 has status archived; only validating or production versions can be activated',
    });
    const back = await c('updateModelStatus', { name: 'life', version: 'v2', status: ModelStatus.MODEL_STATUS_VALIDATING });
    expect(back.model.status).toBe(ModelStatus.MODEL_STATUS_VALIDATING);
  });

  it('updates metrics by merge or replacement and refuses non-finite values', async () => {
    await upload(kit.client, 'met', '1', model(0.3), { header: { metrics: { auc: 0.7 } } });
    const merged = await c('updateModelMetrics', { name: 'met', version: '1', metrics: { 'ndcg@10': 0.3 }, merge: true });
    expect(merged.model.metrics).toEqual({ auc: 0.7, 'ndcg@10': 0.3 });
    const replaced = await c('updateModelMetrics', { name: 'met', version: '1', metrics: { precision: 0.15 }, merge: false });
    expect(replaced.model.metrics).toEqual({ precision: 0.15 });
    await expect(c('updateModelMetrics', { name: 'met', version: '1', metrics: { auc: NaN }, merge: true })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: 'metrics: value of "auc" must be finite, got NaN',
    });
  });

  it('deletes inactive versions and their file (kept while another version shares it), never the active one', async () => {
    const bytes = model(42);
    await upload(kit.client, 'del', 'a', bytes);
    await upload(kit.client, 'del', 'b', bytes);
    await c('activateModel', { name: 'del', version: 'a' });
    await expect(c('deleteModel', { name: 'del', version: 'a' })).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION, details: expect.stringContaining('is active') });
    const path = (await c('getModel', { name: 'del', version: 'b' })).model.artifactPath;
    expect((await c('deleteModel', { name: 'del', version: 'b' })).artifactDeleted).toBe(false);
    expect(await artifactFiles(kit.artifactDir)).toContain(path);
    await c('deactivateModel', { name: 'del', version: 'a' });
    expect((await c('deleteModel', { name: 'del', version: 'a' })).artifactDeleted).toBe(true);
    expect(await artifactFiles(kit.artifactDir)).not.toContain(path);
    await expect(c('getModel', { name: 'del', version: 'a' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it('lists newest first with filters and pages, and refuses a foreign page token', async () => {
    await versionsOf('page', 5);
    await c('activateModel', { name: 'page', version: 'v2' });
    const seen: string[] = [];
    let token = '';
    do {
      const res = await c('listModels', { name: 'page', pageSize: 2, pageToken: token });
      seen.push(...res.models.map((m: { version: string }) => m.version));
      token = res.nextPageToken;
    } while (token);
    expect(seen).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
    expect((await c('listModels', { name: 'page', activeOnly: true })).models.map((m: { version: string }) => m.version)).toEqual(['v2']);
    const prod = await c('listModels', { name: 'page', statuses: [ModelStatus.MODEL_STATUS_PRODUCTION] });
    expect(prod.models.map((m: { version: string }) => m.version)).toEqual(['v2']);
    const first = await c('listModels', { name: 'page', pageSize: 2 });
    await expect(c('listModels', { name: 'other', pageSize: 2, pageToken: first.nextPageToken })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect(c('listModels', { pageSize: 1001 })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect(c('listModels', { statuses: [ModelStatus.MODEL_STATUS_UNSPECIFIED] })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
  });
});
