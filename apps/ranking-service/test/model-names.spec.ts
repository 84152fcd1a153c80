// RecommendRequest.model_name over gRPC: the configured model serves requests
// without a name; another registry name is loaded on first use (answers fall
// back with MODEL_NOT_READY meanwhile) and then ranks with its own weights;
// past MAX_MODEL_NAMES a name falls back without an error.
import { status as Status } from '@grpc/grpc-js';
import { FallbackReason } from '@recsys/contracts/ranking';
import { buildLinearModel } from '@recsys/onnx';
import { FakeRegistry } from './model-fake-registry';
import { eventually, removeDir, tempDir } from './model-test-kit';
import { startHarness, type Harness } from './support/harness';

const featureNames = ['candidate.relevance', 'item.price'];
const MODELS: Record<string, { weights: number[]; bias: number }> = {
  default: { weights: [1, 0], bias: 0 },
  challenger: { weights: [-1, 0.01], bias: 5 },
};
const relevance: Record<string, number> = { a: 0.9, b: 0.5, c: 0.1 };
const price: Record<string, number> = { a: 10, b: 30, c: 20 };
const expected = (name: string, id: string) => {
  const { weights, bias } = MODELS[name]!;
  return Math.fround(Math.fround(relevance[id]!) * weights[0]! + Math.fround(price[id]!) * weights[1]! + bias);
};

describe('Recommend with model_name', () => {
  let registry: FakeRegistry;
  let cacheDir: string;
  let h: Harness;
  let site: string;
  const request = (modelName?: string) => ({
    websiteId: site,
    modelName,
    candidates: Object.entries(relevance).map(([itemId, r]) => ({ itemId, features: { relevance: r } })),
  });

  beforeAll(async () => {
    registry = await new FakeRegistry().start();
    cacheDir = await tempDir();
    for (const [name, m] of Object.entries(MODELS)) {
      registry.publish(`${name}-1`, buildLinearModel({ ...m, featureNames }), { name, featureNames });
      registry.activate(`${name}-1`, '', name);
    }
    h = await startHarness({ env: { REGISTRY_ADDR: registry.address, MODEL_CACHE_DIR: cacheDir, MAX_MODEL_NAMES: '1' } });
    site = await h.newWebsite();
    await h.upsert(site, Object.entries(price).map(([itemId, p]) => ({ itemId, price: String(p) })));
  });

  afterAll(async () => {
    await h?.close();
    await registry?.stop();
    await removeDir(cacheDir);
  });

  it('without model_name (and with the configured name) ranks with MODEL_NAME', async () => {
    for (const modelName of [undefined, 'default']) {
      await eventually(async () => {
        const res = await h.recommend(request(modelName));
        expect(res.model).toEqual({ name: 'default', version: 'default-1' });
        expect(res.items.map((i) => i.itemId)).toEqual(['a', 'b', 'c']);
        res.items.forEach((it) => expect(it.score).toBeCloseTo(expected('default', it.itemId), 5));
      });
    }
  });

  it('another name: the heuristic while it loads, then its own model and order', async () => {
    const first = await h.recommend(request('challenger'));
    expect(first.fallback).toBe(true);
    expect(first.fallbackReason).toBe(FallbackReason.FALLBACK_REASON_MODEL_NOT_READY);
    await eventually(async () => {
      const res = await h.recommend(request('challenger'));
      expect(res.model).toEqual({ name: 'challenger', version: 'challenger-1' });
      expect(res.items.map((i) => i.itemId)).toEqual(['c', 'b', 'a']);
      res.items.forEach((it) => expect(it.score).toBeCloseTo(expected('challenger', it.itemId), 5));
    });
    // The default keeps serving requests without a name.
    expect((await h.recommend(request())).model?.name).toBe('default');
    // Each name's watch and serving model are reported under its name.
    const gauge = async (metric: string) =>
      ((await h.service.metrics.registry.getSingleMetric(metric)!.get()).values as { value: number; labels: Record<string, unknown> }[])
        .map((v) => [v.labels.name, v.value])
        .sort();
    expect(await gauge('ranking_model_registry_watch_up')).toEqual([['challenger', 1], ['default', 1]]);
    expect((await gauge('ranking_model_serving_info')).map(([name]) => name)).toEqual(expect.arrayContaining(['challenger', 'default']));
  });

  it('past MAX_MODEL_NAMES (1 here) a further name falls back with NO_ACTIVE_MODEL, not an error', async () => {
    const res = await h.recommend(request('third'));
    expect(res.fallback).toBe(true);
    expect(res.fallbackReason).toBe(FallbackReason.FALLBACK_REASON_NO_ACTIVE_MODEL);
    expect(res.items.length).toBeGreaterThan(0);
  });

  it('a malformed model_name is INVALID_ARGUMENT naming the field', async () => {
    await expect(h.recommend(request('no spaces'))).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringContaining('model_name') });
  });
});
