// Recommend end to end with a real ONNX model (libs/onnx) served by the real
// provider (registry watch → download → onnxruntime worker), the registry being
// the model tests' in-process gRPC double. Expected scores are computed here,
// independently, from the weights the model was built with.
import { FallbackReason } from '@recsys/contracts/ranking';
import { buildLinearModel } from '@recsys/onnx';
import { FakeRegistry } from './model-fake-registry';
import { eventually as poll, removeDir, tempDir } from './model-test-kit';
import { startHarness, type Harness } from './support/harness';

describe('Recommend with a real ONNX model through the registry-backed provider', () => {
  let registry: FakeRegistry;
  let cacheDir: string;
  let h: Harness;
  const featureNames = ['item.price', 'candidate.relevance', 'item.in_catalog'];
  const weights = [0.05, 2, 0.5];
  const bias = 0.1;

  beforeAll(async () => {
    registry = await new FakeRegistry().start();
    cacheDir = await tempDir();
    registry.publish('v1', buildLinearModel({ weights, bias, featureNames }), { featureNames });
    registry.activate('v1');
    h = await startHarness({ env: { REGISTRY_ADDR: registry.address, MODEL_CACHE_DIR: cacheDir } });
  });
  afterAll(async () => {
    await h?.close();
    await registry?.stop();
    await removeDir(cacheDir);
  });

  it("returns the model's own scores for the assembled features, best first", async () => {
    const site = await h.newWebsite();
    const prices: Record<string, number> = { a: 10, b: 40, c: 25 };
    await h.upsert(site, Object.entries(prices).map(([itemId, p]) => ({ itemId, price: String(p) })));
    const relevance: Record<string, number> = { a: 0.9, b: 0.1, c: 0.5, x: 0.3 };
    let res = await h.recommend({ websiteId: site, candidates: Object.entries(relevance).map(([itemId, r]) => ({ itemId, features: { relevance: r } })) });
    await poll(async () => {
      res = await h.recommend({ websiteId: site, candidates: Object.entries(relevance).map(([itemId, r]) => ({ itemId, features: { relevance: r } })) });
      expect(res.fallback).toBe(false);
    });
    const expected = Object.keys(relevance)
      .map((id) => {
        const x = [prices[id] ?? 0, relevance[id]!, id in prices ? 1 : 0].map(Math.fround);
        return { id, score: Math.fround(x.reduce((s, v, j) => s + v * weights[j]!, 0) + bias) };
      })
      .sort((p, q) => q.score - p.score);
    expect(res).toMatchObject({ strategy: 'model', fallbackReason: FallbackReason.FALLBACK_REASON_UNSPECIFIED, model: { name: 'default', version: 'v1' } });
    expect(res.items.map((i) => i.itemId)).toEqual(expected.map((e) => e.id));
    res.items.forEach((it, i) => expect(it.score).toBeCloseTo(expected[i]!.score, 4));
  });
});
