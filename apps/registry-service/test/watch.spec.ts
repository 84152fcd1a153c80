import type { ClientReadableStream } from '@grpc/grpc-js';
import type { WatchActiveModelResponse } from '@recsys/contracts/registry';
import { buildLinearModel } from '@recsys/onnx';
import { call, sql, startRegistry, upload, type RegistryKit } from './registry-test-kit';

const SITE = '0b6c2f5e-8a1d-4c3b-9e7f-2d4a6b8c0e1f';
const model = (bias: number) => buildLinearModel({ weights: [1], bias, featureNames: ['user.a'] });

/** Collects a watch stream's states as "version" or "none". */
function watch(kit: RegistryKit, name: string, websiteId = '') {
  const stream: ClientReadableStream<WatchActiveModelResponse> = kit.client.watchActiveModel({ name, websiteId });
  const states: string[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  stream.on('data', (m: WatchActiveModelResponse) => {
    states.push(m.state?.$case === 'activeModel' ? m.state.value.version : 'none');
    if (waiter && states.length >= waiter.n) waiter.resolve();
  });
  stream.on('error', () => undefined);
  return {
    states,
    /** Resolves once `n` states have arrived (fails the test by timeout otherwise). */
    until: (n: number) => (states.length >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve }))),
    cancel: () => stream.cancel(),
  };
}

describe('WatchActiveModel', () => {
  let kit: RegistryKit;
  const activate = (name: string, version: string) => call(kit.client, 'activateModel', { name, version });

  beforeAll(async () => {
    kit = await startRegistry();
    await sql(kit.db, `INSERT INTO website (website_id, name) VALUES ($1, 'blog')`, [SITE]);
    for (let i = 1; i <= 6; i++) await upload(kit.client, 'w', `v${i}`, model(i));
  });
  afterAll(() => kit?.close());

  it('sends the current state at once, then every activation in order', async () => {
    const w = watch(kit, 'w');
    await w.until(1);
    expect(w.states).toEqual(['none']);
    for (const v of ['v1', 'v2', 'v3', 'v4']) await activate('w', v);
    await w.until(5);
    expect(w.states).toEqual(['none', 'v1', 'v2', 'v3', 'v4']);
    await call(kit.client, 'rollbackModel', { name: 'w' });
    await call(kit.client, 'deactivateModel', { name: 'w', version: 'v3' });
    await w.until(7);
    expect(w.states.slice(5)).toEqual(['v3', 'none']);
    w.cancel();
  });

  it('sees activations fired back to back without waiting, in commit order', async () => {
    const w = watch(kit, 'w');
    await w.until(1);
    const order: string[] = [];
    for (const v of ['v1', 'v2', 'v3', 'v4', 'v5', 'v6']) order.push((await activate('w', v)).model.version);
    await w.until(1 + order.length);
    expect(w.states.slice(1)).toEqual(order);
    w.cancel();
  });

  it('resolves website-specific first, else global, and follows both scopes', async () => {
    await upload(kit.client, 'w', 'site', model(99), { header: { websiteId: SITE } });
    await activate('w', 'v2');
    const w = watch(kit, 'w', SITE);
    await w.until(1);
    expect(w.states).toEqual(['v2']);
    await activate('w', 'site');
    await activate('w', 'v3'); // global changes under a site-specific version: the site still sees "site"
    await call(kit.client, 'deactivateModel', { name: 'w', version: 'site' });
    await w.until(3);
    expect(w.states).toEqual(['v2', 'site', 'v3']);
    w.cancel();
  });

  it('survives the LISTEN connection being cut: resyncs, misses nothing, keeps delivering', async () => {
    await activate('w', 'v1');
    const w = watch(kit, 'w');
    await w.until(1);
    expect(w.states).toEqual(['v1']);
    const listener = kit.service.activationListener;
    const pid = listener.backendPid;
    expect(pid).toEqual(expect.any(Number));
    const reconnections = listener.reconnections;
    await sql(kit.db, 'SELECT pg_terminate_backend($1)', [pid]);
    // Activated while the listener may be disconnected: its notice can be lost; the resync must cover it.
    await activate('w', 'v4');
    for (let i = 0; i < 200 && listener.reconnections === reconnections; i++) await new Promise((r) => setTimeout(r, 10));
    expect(listener.reconnections).toBe(reconnections + 1);
    expect(listener.backendPid).not.toBe(pid);
    await w.until(2);
    expect(w.states).toEqual(['v1', 'v4']);
    await activate('w', 'v5'); // after the reconnect: delivered through the new LISTEN
    await w.until(3);
    expect(w.states).toEqual(['v1', 'v4', 'v5']);
    w.cancel();
  });

  it('refuses a malformed name or website', async () => {
    const err = await new Promise<{ code: number }>((resolve) => {
      const stream = kit.client.watchActiveModel({ name: '../x', websiteId: '' });
      stream.on('data', () => undefined);
      stream.on('error', resolve);
    });
    expect(err.code).toBe(3);
  });

  it('ends watch streams with UNAVAILABLE when the service shuts down, instead of holding the drain', async () => {
    // A drain that waited for the watcher would hang this test: the timeout is ten minutes.
    const own = await startRegistry({ SHUTDOWN_TIMEOUT_MS: '600000' });
    let closed = false;
    try {
      const stream = own.client.watchActiveModel({ name: 'w', websiteId: '' });
      const ended = new Promise<{ code: number }>((resolve) => {
        stream.on('data', () => undefined);
        stream.on('error', resolve);
      });
      await new Promise((r) => stream.once('data', r));
      await own.service.close();
      closed = true;
      expect((await ended).code).toBe(14);
    } finally {
      if (!closed) await own.service.close();
      await own.close();
    }
  });
});
