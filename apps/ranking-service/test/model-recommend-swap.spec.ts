// Hot swap seen from outside: Recommend calls keep coming over gRPC while the
// registry activates another version. No call fails or falls back, each answer
// is scored by exactly the version it names, and both versions answer.
import { buildLinearModel } from '@recsys/onnx';
import { FakeRegistry } from './model-fake-registry';
import { eventually, removeDir, tempDir } from './model-test-kit';
import { startHarness, type Harness } from './support/harness';

const featureNames = ['item.price', 'candidate.relevance', 'item.in_catalog'];
const VERSIONS: Record<string, { weights: number[]; bias: number }> = {
  v1: { weights: [0.05, 2, 0.5], bias: 0.1 },
  v2: { weights: [-0.05, 1, 3], bias: -1 },
};
const prices: Record<string, number> = { a: 10, b: 40, c: 25 };
const relevance: Record<string, number> = { a: 0.9, b: 0.1, c: 0.5, x: 0.3 };

function expectedScore(version: string, id: string): number {
  const { weights, bias } = VERSIONS[version]!;
  const x = [prices[id] ?? 0, relevance[id]!, id in prices ? 1 : 0].map(Math.fround);
  return Math.fround(x.reduce((s, v, j) => s + v * weights[j]!, 0) + bias);
}

describe('Recommend during a model swap', () => {
  let registry: FakeRegistry;
  let cacheDir: string;
  let h: Harness;

  beforeAll(async () => {
    registry = await new FakeRegistry().start();
    cacheDir = await tempDir();
    for (const [version, m] of Object.entries(VERSIONS)) registry.publish(version, buildLinearModel({ ...m, featureNames }), { featureNames });
    registry.activate('v1');
    h = await startHarness({ env: { REGISTRY_ADDR: registry.address, MODEL_CACHE_DIR: cacheDir } });
  });

  afterAll(async () => {
    await h?.close();
    await registry?.stop();
    await removeDir(cacheDir);
  });

  it('answers every call from one model or the other, never failing, never falling back', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, Object.entries(prices).map(([itemId, p]) => ({ itemId, price: String(p) })));
    const request = { websiteId: site, candidates: Object.entries(relevance).map(([itemId, r]) => ({ itemId, features: { relevance: r } })) };
    // The catalog snapshot is refreshed asynchronously: wait until v1 scores with the prices.
    await eventually(async () => {
      const res = await h.recommend(request);
      expect(res.fallback).toBe(false);
      res.items.forEach((it) => expect(it.score).toBeCloseTo(expectedScore('v1', it.itemId), 4));
    });

    const seen: Record<string, number> = {};
    const errors: unknown[] = [];
    let afterSwap = 0;
    const client = async () => {
      while (afterSwap < 60) {
        try {
          const res = await h.recommend(request);
          const version = res.model?.version ?? 'none';
          seen[version] = (seen[version] ?? 0) + 1;
          if (res.fallback || !(version in VERSIONS)) errors.push(`fallback=${res.fallback} version=${version}`);
          for (const it of res.items) {
            if (Math.abs(it.score - expectedScore(version, it.itemId)) > 1e-4) errors.push(`${version} scored ${it.itemId} ${it.score}`);
          }
          if (version === 'v2') afterSwap++;
        } catch (err) {
          errors.push(err);
          return;
        }
      }
    };
    const clients = Array.from({ length: 6 }, client);
    await eventually(() => (seen.v1 ?? 0) >= 30);
    registry.activate('v2');
    await Promise.all(clients);
    expect(errors).toEqual([]);
    expect(seen.v1).toBeGreaterThan(0);
    expect(seen.v2).toBeGreaterThan(0);
    expect(Object.keys(seen).sort()).toEqual(['v1', 'v2']);
  });
});
