// The provider inside the real service: configured from the environment,
// ready before health says SERVING, its metrics on the service's /metrics,
// closed with the service.
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import type { StartedService } from '@recsys/service-kit';
import { checkHealth, ServingStatus } from '@recsys/service-kit/testing';
import { bootstrap } from '../src/bootstrap';
import { loadServiceConfig } from '../src/config';
import { FakeRegistry } from './model-fake-registry';
import { FEATURES, linearBytes, LogCapture, removeDir, tempDir } from './model-test-kit';

describe('ranking-service with the model provider', () => {
  let db: TestDatabase;
  let registry: FakeRegistry;
  let cacheDir: string;
  let service: StartedService | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  beforeEach(async () => {
    registry = await new FakeRegistry().start();
    cacheDir = await tempDir();
  });

  afterEach(async () => {
    await service?.close();
    service = undefined;
    await registry.stop();
    await removeDir(cacheDir);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const env = (extra: Record<string, string>) =>
    loadServiceConfig({ DATABASE_URL: db.url, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', MIGRATE_ON_START: 'false', MODEL_CACHE_DIR: cacheDir, ...extra });

  async function metricsText(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${service!.metricsPort}/metrics`)).text();
  }

  it('is SERVING only with the active model already loaded, and exports what serves', async () => {
    registry.publish('v7', linearBytes({ weights: [1, 2, 3], bias: 0 }), { featureNames: FEATURES });
    registry.activate('v7');
    service = await bootstrap(env({ REGISTRY_ADDR: registry.address }));
    // Read before anything else can happen: the model was in place when SERVING was first reported.
    const text = await metricsText();
    expect(text).toMatch(/ranking_model_serving_info\{[^}]*scope="global"[^}]*version="v7"[^}]*\} 1/);
    expect(text).toMatch(/ranking_model_loads_total\{[^}]*outcome="loaded"[^}]*\} 1/);
    expect(text).toMatch(/ranking_model_worker_queue\{[^}]*\} 0/);
    expect(await checkHealth(`127.0.0.1:${service.port}`)).toBe(ServingStatus.SERVING);
  });

  it('refuses a model with feature names outside the vocabulary (logged, counted) and serves the fallback', async () => {
    const names = ['user.session_count', 'item.price', 'user.shoe_size'];
    registry.publish('odd', linearBytes({ weights: [1, 2, 3], bias: 0 }, names), { featureNames: names });
    registry.activate('odd');
    const logs = new LogCapture();
    service = await bootstrap(env({ REGISTRY_ADDR: registry.address }), { logger: logs.logger });
    expect(await checkHealth(`127.0.0.1:${service.port}`)).toBe(ServingStatus.SERVING);
    expect(await metricsText()).toMatch(/ranking_model_loads_total\{[^}]*outcome="failed"[^}]*reason="unknown_features"[^}]*\} 1/);
    expect(logs.lines.some((l) => l.level === 50 && String(l.err).includes('user.shoe_size'))).toBe(true);
  });

  it('starts on the heuristic fallback with no registry configured and nothing cached', async () => {
    service = await bootstrap(env({}));
    expect(await checkHealth(`127.0.0.1:${service.port}`)).toBe(ServingStatus.SERVING);
    expect(await metricsText()).not.toMatch(/ranking_model_serving_info\{/);
  });

  it('reports a bad MODEL_NAME or REGISTRY_ADDR as configuration errors', () => {
    const attempt = () => env({ MODEL_NAME: '../etc', REGISTRY_ADDR: 'no-port' });
    expect(attempt).toThrow(/MODEL_NAME: must not contain "\.\."/);
    expect(attempt).toThrow(/REGISTRY_ADDR: expected host:port \(got "no-port"\)/);
  });
});
