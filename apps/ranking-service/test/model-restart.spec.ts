// Restarts: what the provider serves when it starts with the registry down,
// absent, or late, from what its disk cache remembers.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeRegistry } from './model-fake-registry';
import { eventually, expectedScores, expectScores, FEATURES, linearBytes, makeProvider, removeDir, rows, tempDir, type Linear, type ProviderHarness } from './model-test-kit';

const V1: Linear = { weights: [0.5, -1.25, 2], bias: 0.1 };
const SITE: Linear = { weights: [1, 1, 1], bias: 5 };
const SITE_A = '3f1c2b8e-0000-4000-8000-00000000000a';

describe('model provider: restarts and the disk cache', () => {
  let registry: FakeRegistry;
  let cacheDir: string;
  const harnesses: ProviderHarness[] = [];

  function provider(options: Parameters<typeof makeProvider>[0]): ProviderHarness {
    const h = makeProvider(options);
    harnesses.push(h);
    return h;
  }

  beforeEach(async () => {
    registry = await new FakeRegistry().start();
    cacheDir = await tempDir();
  });

  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.provider.close();
    await registry.stop();
    await removeDir(cacheDir);
  });

  /** A first life: serves v1 globally and site-a for SITE_A, then shuts down. */
  async function firstLife(): Promise<void> {
    registry.publish('v1', linearBytes(V1), { featureNames: FEATURES });
    registry.publish('site-a', linearBytes(SITE), { featureNames: FEATURES, websiteId: SITE_A });
    registry.activate('v1');
    registry.activate('site-a', SITE_A);
    const first = provider({ registryAddress: registry.address, cacheDir });
    await first.provider.start();
    first.provider.current(SITE_A);
    await eventually(() => first.provider.current(SITE_A)?.version === 'site-a');
    await first.provider.close();
  }

  it('serves the last cached models, global and per website, when restarted with the registry down', async () => {
    await firstLife();
    await registry.stop();
    const second = provider({ registryAddress: registry.address, cacheDir, startupTimeoutMs: 60_000 });
    // Ready from the cache alone: the registry never answers.
    await second.provider.start();
    expect(second.provider.ready).toBe(true);
    const x = rows(10);
    expect(second.provider.current('')!.version).toBe('v1');
    expectScores(await second.provider.current('')!.score(x, 10), expectedScores(V1, x));
    expect(second.provider.current(SITE_A)!.version).toBe('site-a');
    expectScores(await second.provider.current(SITE_A)!.score(x, 10), expectedScores(SITE, x));
    expect(await second.metric('ranking_model_registry_watch_up', { name: 'default' })).toBe(0);
  });

  it('serves the cached model without any registry configured, and follows the registry when it comes back', async () => {
    await firstLife();
    const offline = provider({ cacheDir });
    await offline.provider.start();
    expect(offline.provider.current('')!.version).toBe('v1');

    await registry.stop();
    const later = provider({ registryAddress: registry.address, cacheDir });
    await later.provider.start();
    expect(later.provider.current('')!.version).toBe('v1');
    registry.publish('v2', linearBytes({ weights: [3, 2, 1], bias: 0 }), { featureNames: FEATURES });
    registry.activate('v2');
    await registry.start(); // same port: the watch re-subscribes with backoff
    await eventually(() => later.provider.current('')?.version === 'v2');
  });

  it('is ready on the explicit fallback with no registry and no cache', async () => {
    const h = provider({ cacheDir });
    await h.provider.start();
    expect(h.provider.ready).toBe(true);
    expect(h.provider.current('')).toBeUndefined();
    expect(h.provider.current(SITE_A)).toBeUndefined();
  });

  it('is not ready while the registry is down, and ready with its model as soon as it answers', async () => {
    await registry.stop();
    const h = provider({ registryAddress: registry.address, cacheDir, startupTimeoutMs: 600_000 });
    const started = h.provider.start();
    await eventually(() => h.logs.messages().includes('registry watch down; re-subscribing with backoff'));
    expect(h.provider.ready).toBe(false);
    registry.publish('v1', linearBytes(V1), { featureNames: FEATURES });
    registry.activate('v1');
    await registry.start();
    await started;
    expect(h.provider.current('')!.version).toBe('v1');
  });

  it('settles on the fallback after the startup timeout, then loads the model when the registry comes back', async () => {
    await registry.stop();
    const h = provider({ registryAddress: registry.address, cacheDir, startupTimeoutMs: 300 });
    await h.provider.start();
    expect(h.provider.ready).toBe(true);
    expect(h.provider.current('')).toBeUndefined();
    registry.publish('v1', linearBytes(V1), { featureNames: FEATURES });
    registry.activate('v1');
    await registry.start();
    await eventually(() => h.provider.current('')?.version === 'v1');
  });

  it('becomes ready only once the active model has loaded', async () => {
    registry.publish('v1', linearBytes(V1), { featureNames: FEATURES });
    registry.activate('v1');
    const h = provider({ registryAddress: registry.address, cacheDir, startupTimeoutMs: 60_000 });
    const readyBeforeStart = h.provider.ready;
    await h.provider.start();
    expect(readyBeforeStart).toBe(false);
    expect(h.provider.current('')!.version).toBe('v1');
  });

  it('ignores a corrupted cached artifact (and deletes it) instead of loading it', async () => {
    await firstLife();
    await registry.stop();
    const artifacts = join(cacheDir, 'artifacts');
    for (const f of await readdir(artifacts)) await writeFile(join(artifacts, f), 'garbage');
    const h = provider({ registryAddress: registry.address, cacheDir, startupTimeoutMs: 200 });
    await h.provider.start();
    expect(h.provider.current('')).toBeUndefined();
    expect(await h.metric('ranking_model_loads_total', { outcome: 'failed', reason: 'cache' })).toBe(2);
    expect((await readdir(artifacts)).filter((f) => f.endsWith('.onnx'))).toEqual([]);
  });
  it('replaces a dead worker thread and reloads the serving models from the cache', async () => {
    registry.publish('v1', linearBytes(V1), { featureNames: FEATURES });
    registry.activate('v1');
    const h = provider({ registryAddress: registry.address, cacheDir });
    await h.provider.start();
    const before = h.provider.current('')!;
    // Kill the thread that holds every session, as a native crash would.
    const internals = h.provider as unknown as { pool: { worker: { worker?: { terminate(): Promise<number> } } } };
    await internals.pool.worker.worker!.terminate();
    await eventually(() => h.provider.current('') !== undefined && h.provider.current('') !== before);
    const x = rows(10);
    expectScores(await h.provider.current('')!.score(x, 10), expectedScores(V1, x));
    expect(registry.downloads).toBe(1); // reloaded from the disk cache, not downloaded again
    expect(h.logs.messages(50)).toContain('model worker died; reloading the serving models');
  });
  it('sends REGISTRY_TOKEN; with a wrong one it is refused and serves the fallback', async () => {
    const token = 'ranking-service-token-0123456789';
    const secured = await new FakeRegistry('default', [token]).start();
    const otherCache = await tempDir();
    try {
      secured.publish('v1', linearBytes(V1), { featureNames: FEATURES });
      secured.activate('v1');
      const denied = provider({ registryAddress: secured.address, registryToken: 'not-the-token-0123456789', cacheDir, startupTimeoutMs: 300 });
      await denied.provider.start();
      expect(denied.provider.current('')).toBeUndefined();
      expect(denied.logs.lines.some((l) => String(l.err).includes('UNAUTHENTICATED'))).toBe(true);
      const allowed = provider({ registryAddress: secured.address, registryToken: token, cacheDir: otherCache, startupTimeoutMs: 60_000 });
      await allowed.provider.start();
      expect(allowed.provider.current('')!.version).toBe('v1');
    } finally {
      for (const h of harnesses.splice(0)) await h.provider.close();
      await secured.stop();
      await removeDir(otherCache);
    }
  });
});
