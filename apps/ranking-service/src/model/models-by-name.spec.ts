import { createLogger } from '@recsys/service-kit';
import type { ModelProvider, ServingModel } from './model-provider';
import { ModelsByName } from './models-by-name';

const model = (name: string, version = 'v1'): ServingModel => ({ name, version, sha256: '0'.repeat(64), featureNames: [], score: async () => new Float32Array(0) });

/** A provider of one name whose readiness and model the test sets. */
class StubProvider implements ModelProvider {
  ready = false;
  serving: ServingModel | undefined;
  started = 0;
  closed = 0;
  constructor(readonly name: string) {}
  current(_websiteId: string, modelName?: string) {
    return !modelName || modelName === this.name ? this.serving : undefined;
  }
  readyFor(modelName?: string) {
    return !modelName || modelName === this.name ? this.ready : true;
  }
  async start() {
    this.started++;
  }
  async close() {
    this.closed++;
  }
}

function setup(maxOtherNames = 2) {
  const primary = new StubProvider('default');
  primary.ready = true;
  primary.serving = model('default');
  const created: StubProvider[] = [];
  const warnings: unknown[] = [];
  const logger = createLogger({ name: 'test', level: 'silent' });
  logger.warn = ((obj: unknown) => void warnings.push(obj)) as typeof logger.warn;
  const models = new ModelsByName({
    defaultName: 'default',
    primary,
    create: (name) => {
      const p = new StubProvider(name);
      created.push(p);
      return p;
    },
    maxOtherNames,
    logger,
  });
  return { models, primary, created, warnings };
}

describe('ModelsByName (RecommendRequest.model_name)', () => {
  it('serves the configured name for an empty or equal model_name without creating anything', () => {
    const { models, created } = setup();
    expect(models.current('site', '')?.name).toBe('default');
    expect(models.current('site')?.name).toBe('default');
    expect(models.current('site', 'default')?.name).toBe('default');
    expect(models.readyFor('')).toBe(true);
    expect(created).toEqual([]);
  });

  it('starts one provider per new name on first use; not ready (fall back) until it loads', () => {
    const { models, created } = setup();
    expect(models.current('site', 'challenger')).toBeUndefined();
    expect(models.readyFor('challenger')).toBe(false);
    expect(models.current('site', 'challenger')).toBeUndefined();
    expect(created.map((p) => [p.name, p.started])).toEqual([['challenger', 1]]);

    created[0]!.ready = true;
    created[0]!.serving = model('challenger', 'c7');
    expect(models.current('site', 'challenger')?.version).toBe('c7');
    expect(models.readyFor('challenger')).toBe(true);
    expect(models.names).toEqual(['default', 'challenger']);
  });

  it('past MAX_MODEL_NAMES a new name is refused: settled without a model, warned once, no provider', () => {
    const { models, created, warnings } = setup(1);
    models.current('site', 'first');
    expect(models.current('site', 'second')).toBeUndefined();
    expect(models.current('site', 'second')).toBeUndefined();
    expect(models.readyFor('second')).toBe(true);
    expect(created.map((p) => p.name)).toEqual(['first']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ modelName: 'second', max: 1 });
  });

  it('MAX_MODEL_NAMES=0 serves only the configured name', () => {
    const { models, created } = setup(0);
    expect(models.current('site', 'other')).toBeUndefined();
    expect(models.readyFor('other')).toBe(true);
    expect(created).toEqual([]);
  });

  it('closes every provider it started, and starts none after close', async () => {
    const { models, primary, created } = setup();
    models.current('site', 'a');
    models.current('site', 'b');
    await models.close();
    expect([primary.closed, ...created.map((p) => p.closed)]).toEqual([1, 1, 1]);
    expect(models.current('site', 'c')).toBeUndefined();
    expect(created).toHaveLength(2);
  });
});
