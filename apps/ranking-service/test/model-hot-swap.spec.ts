// The provider against a real gRPC registry peer: loading, scoring against
// TS-computed expectations, hot swap under load, refusals that keep the
// current model serving, and per-website overrides.
import { buildTreeEnsembleModel, randomTreeEnsemble } from '@recsys/onnx';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelScoringError } from '../src/model/model-provider';
import { FakeRegistry } from './model-fake-registry';
import { eventually, expectedScores, expectScores, FEATURES, linearBytes, makeProvider, removeDir, rows, tempDir, type Linear, type ProviderHarness } from './model-test-kit';

const V1: Linear = { weights: [0.5, -1.25, 2], bias: 0.1 };
const V2: Linear = { weights: [-2, 0.75, 0.25], bias: -0.3 };
const SITE_A = '3f1c2b8e-0000-4000-8000-00000000000a';
const SITE_B = '3f1c2b8e-0000-4000-8000-00000000000b';

describe('model provider: registry, hot swap, refusals', () => {
  let registry: FakeRegistry;
  let h: ProviderHarness;
  let cacheDir: string;

  beforeEach(async () => {
    registry = await new FakeRegistry().start();
    cacheDir = await tempDir();
  });

  afterEach(async () => {
    await h?.provider.close();
    await registry.stop();
    await removeDir(cacheDir);
  });

  async function startWith(version: string, model: Linear): Promise<void> {
    registry.publish(version, linearBytes(model), { featureNames: FEATURES });
    registry.activate(version);
    h = makeProvider({ registryAddress: registry.address, cacheDir });
    await h.provider.start();
    expect(h.provider.ready).toBe(true);
  }

  it('loads the active model, scores as the weights say, and caches the artifact by sha256', async () => {
    await startWith('v1', V1);
    const model = h.provider.current(SITE_A)!;
    expect(model).toMatchObject({ name: 'default', version: 'v1', featureNames: FEATURES });
    const x = rows(50);
    expectScores(await model.score(x, 50), expectedScores(V1, x));
    expect(await readdir(join(cacheDir, 'artifacts'))).toEqual([`${model.sha256}.onnx`]);
    expect(await h.metric('ranking_model_serving_info', { scope: 'global', version: 'v1' })).toBe(1);
    const scored = (await h.registry.getMetricsAsJSON()).find((m) => m.name === 'ranking_model_score_seconds')!;
    expect((scored.values as { metricName?: string; value: number }[]).find((v) => v.metricName === 'ranking_model_score_seconds_count')!.value).toBe(1);
  });

  it('swaps versions during a stream of concurrent calls: no call fails, both versions are observed', async () => {
    await startWith('v1', V1);
    registry.publish('v2', linearBytes(V2), { featureNames: FEATURES });
    const x = rows(20);
    const want = { v1: expectedScores(V1, x), v2: expectedScores(V2, x) };
    const seen = { v1: 0, v2: 0 };
    let failures = 0;
    let swapped = false;
    const client = async () => {
      // Keep calling until v2 has served for a while after the swap.
      for (let afterSwap = 0; afterSwap < 30; ) {
        const model = h.provider.current('')!;
        try {
          const scores = await model.score(x, 20);
          expectScores(scores, want[model.version as 'v1' | 'v2']);
          seen[model.version as 'v1' | 'v2']++;
        } catch (err) {
          failures++;
          throw err;
        }
        if (swapped) afterSwap++;
        await new Promise((r) => setImmediate(r));
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await eventually(() => seen.v1 > 50);
    registry.activate('v2');
    await eventually(() => h.provider.current('')?.version === 'v2');
    swapped = true;
    await Promise.all(clients);
    expect(failures).toBe(0);
    expect(seen.v1).toBeGreaterThan(0);
    expect(seen.v2).toBeGreaterThan(0);
  });

  it('releases the replaced session only after the calls using it have finished', async () => {
    // A slow model (trees over big batches) so calls are still queued when the swap lands.
    const trees = randomTreeEnsemble({ trees: 100, depth: 6, features: FEATURES.length, seed: 7 });
    registry.publish('slow', buildTreeEnsembleModel({ trees, featureNames: FEATURES }), { featureNames: FEATURES });
    registry.activate('slow');
    // In the worker only: calls queue there. On the service thread a run is synchronous, so no call is
    // ever in flight when the swap lands (and a fast machine's probe would put this model there).
    h = makeProvider({ registryAddress: registry.address, cacheDir, mainThread: false });
    await h.provider.start();
    const old = h.provider.current('') as import('../src/model/loaded-model').LoadedModel;
    registry.publish('v2', linearBytes(V2), { featureNames: FEATURES });

    const x = rows(2000);
    const calls: Promise<Float32Array>[] = [];
    let inFlightAtSwap = -1;
    let releasedAtSwap: boolean | undefined;
    let swapSeen = false;
    // Three callers keep the old model busy: each issues its next call the moment the
    // previous one answers, so calls issued after the load request queue behind it. They go on
    // until the test has looked at the swap (as callers that took the model just before it would):
    // stopping at the swap itself let a fast machine finish every call before the test looked.
    const caller = async () => {
      while (!swapSeen) {
        const call = old.score(x, 2000);
        calls.push(call);
        await call;
      }
    };
    const callers = [caller(), caller(), caller()];
    await eventually(() => calls.length >= 6);
    registry.activate('v2');
    await eventually(() => h.provider.current('') !== old, 30_000);
    inFlightAtSwap = old.inFlightCalls;
    releasedAtSwap = old.isReleased;
    swapSeen = true;
    await Promise.allSettled(callers);
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(inFlightAtSwap).toBeGreaterThan(0);
    expect(releasedAtSwap).toBe(false);
    await eventually(() => old.isReleased);
    // Once released, a late caller gets a ModelScoringError (it falls back), never a crash.
    await expect(old.score(x, 2000)).rejects.toBeInstanceOf(ModelScoringError);
  });

  it('keeps the current model serving when the new one cannot load (corrupt file)', async () => {
    await startWith('v1', V1);
    registry.publish('broken', new TextEncoder().encode('this is not an ONNX file'), { featureNames: FEATURES });
    registry.activate('broken');
    await eventually(async () => expect(await h.metric('ranking_model_loads_total', { outcome: 'failed', reason: 'invalid_model' })).toBe(1));
    expect(h.provider.current('')!.version).toBe('v1');
    const x = rows(5);
    expectScores(await h.provider.current('')!.score(x, 5), expectedScores(V1, x));
    expect(h.logs.lines.some((l) => l.level === 50 && String(l.msg).includes('current one keeps serving'))).toBe(true);
  });

  it('keeps the current model when the new one has the wrong input width', async () => {
    await startWith('v1', V1);
    registry.publish('narrow', linearBytes({ weights: [1, 2], bias: 0 }, FEATURES.slice(0, 2)), { featureNames: FEATURES });
    registry.activate('narrow');
    await eventually(async () => expect(await h.metric('ranking_model_loads_total', { outcome: 'failed', reason: 'invalid_model' })).toBe(1));
    expect(h.provider.current('')!.version).toBe('v1');
  });

  it('rejects a download whose sha256 does not match and does not cache it', async () => {
    await startWith('v1', V1);
    const v2 = registry.publish('v2', linearBytes(V2), { featureNames: FEATURES });
    const other = linearBytes({ weights: [9, 9, 9], bias: 9 });
    registry.tamper.set('default@v2', other.length === v2.artifactSizeBytes ? other : other.subarray(0, v2.artifactSizeBytes));
    registry.activate('v2');
    await eventually(async () => expect(await h.metric('ranking_model_loads_total', { outcome: 'failed', reason: 'checksum' })).toBeGreaterThanOrEqual(2));
    expect(h.provider.current('')!.version).toBe('v1');
    expect(await readdir(join(cacheDir, 'artifacts'))).toEqual([`${h.provider.current('')!.sha256}.onnx`]);
    // The store heals: the retry (with backoff) gets the right bytes and swaps.
    registry.tamper.clear();
    await eventually(() => h.provider.current('')?.version === 'v2');
  });

  it('refuses a model whose feature names the vocabulary does not know', async () => {
    registry.publish('v1', linearBytes(V1), { featureNames: FEATURES });
    registry.activate('v1');
    h = makeProvider({
      registryAddress: registry.address,
      cacheDir,
      unknownFeatureNames: (names) => names.filter((n) => !FEATURES.includes(n)),
    });
    await h.provider.start();
    const odd = ['user.session_count', 'item.price', 'user.shoe_size'];
    registry.publish('v2', linearBytes(V2, odd), { featureNames: odd });
    registry.activate('v2');
    await eventually(async () => expect(await h.metric('ranking_model_loads_total', { outcome: 'failed', reason: 'unknown_features' })).toBe(1));
    expect(h.provider.current('')!.version).toBe('v1');
    expect(registry.downloads).toBe(1); // refused before downloading
  });

  it('serves a website its own model and every other website the global one', async () => {
    await startWith('global', V1);
    const site: Linear = { weights: [1, 1, 1], bias: 5 };
    registry.publish('site-a', linearBytes(site), { featureNames: FEATURES, websiteId: SITE_A });
    registry.activate('site-a', SITE_A);
    // The first call for a website starts watching it; until its state arrives the global model serves.
    expect(h.provider.current(SITE_A)?.version).toBe('global');
    await eventually(() => h.provider.current(SITE_A)?.version === 'site-a');
    expect(h.provider.current(SITE_B)!.version).toBe('global');
    expect(h.provider.current('')!.version).toBe('global');
    const x = rows(10);
    expectScores(await h.provider.current(SITE_A)!.score(x, 10), expectedScores(site, x));
    expectScores(await h.provider.current(SITE_B)!.score(x, 10), expectedScores(V1, x));
    // Website B resolves to the global model: one shared session, not two.
    await eventually(() => h.provider.current(SITE_B) === h.provider.current(''));
    // Deactivating the website's version returns it to the global model.
    registry.deactivate(SITE_A);
    await eventually(() => h.provider.current(SITE_A)?.version === 'global');
  });

  it('shares one download and one session among scopes that resolve to the same new model', async () => {
    await startWith('v1', V1);
    h.provider.current(SITE_A);
    h.provider.current(SITE_B);
    await eventually(async () => expect(await h.metric('ranking_model_serving_info', { version: 'v1' })).toBe(3));
    registry.publish('v2', linearBytes(V2), { featureNames: FEATURES });
    registry.activate('v2'); // three watches receive v2 at once
    await eventually(async () => expect(await h.metric('ranking_model_serving_info', { version: 'v2' })).toBe(3));
    expect(registry.downloads).toBe(2); // v1 once, v2 once
    expect(h.provider.current(SITE_A)).toBe(h.provider.current(''));
    expect(h.provider.current(SITE_B)).toBe(h.provider.current(''));
    await eventually(async () => expect(await h.metric('ranking_model_sessions')).toBe(1));
  });

  it('still swaps in a model it cannot write to the disk cache', async () => {
    await startWith('v1', V1);
    // The artifacts directory becomes a file: every write under it fails, even as root.
    await rm(join(cacheDir, 'artifacts'), { recursive: true });
    await writeFile(join(cacheDir, 'artifacts'), '');
    registry.publish('v2', linearBytes(V2), { featureNames: FEATURES });
    registry.activate('v2');
    await eventually(() => h.provider.current('')?.version === 'v2');
    expect(h.logs.messages(40)).toContain('could not cache the model artifact');
  });

  it('falls back (no model) when the registry says nothing is active', async () => {
    await startWith('v1', V1);
    registry.deactivate();
    await eventually(() => h.provider.current('') === undefined);
    expect(h.provider.current(SITE_A)).toBeUndefined();
    registry.activate('v1');
    await eventually(() => h.provider.current('')?.version === 'v1');
  });
});
