import { credentials } from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileServiceClient, type Profile } from '@recsys/contracts/profile';
import { Client } from 'pg';
import { findFreePort, withClient } from '@recsys/db';
import { createTestDatabase, UMAMI_VERSIONS, umamiSchemaSql, type TestDatabase, type UmamiVersion } from '@recsys/db/testing';
import { spawnNode, unary, waitForServing, type ServiceProcess } from '@recsys/service-kit/testing';
import { runCli } from './support/run-cli';
import { UmamiWriter } from './support/umami-writer';

/**
 * The import against a shop's traffic as Umami itself writes it, in each
 * supported Umami version, into a separate Recsys database. Profile fields
 * are checked against SQL written here directly on Umami's tables.
 */
const DAY = 86_400_000;
const BASE = Date.now() - 10 * DAY;

interface Env {
  source: TestDatabase;
  recsys: TestDatabase;
  service: ServiceProcess;
  client: ProfileServiceClient;
  address: string;
  stateDir: string;
  writer: UmamiWriter;
  sourceClient: Client;
}

async function start(version: UmamiVersion): Promise<Env> {
  const source = await createTestDatabase({ migrated: false });
  await withClient(source.url, async (c) => c.query(await umamiSchemaSql(version)));
  const recsys = await createTestDatabase();
  const [grpcPort, metricsPort] = [await findFreePort(), await findFreePort()];
  const address = `127.0.0.1:${grpcPort}`;
  const service = spawnNode(join(__dirname, '../../profile-service/src/main.ts'), {
    PATH: process.env.PATH, DATABASE_URL: recsys.url, GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn', PRICE_REFERENCE_TTL_MS: '0',
  });
  await waitForServing(address);
  // One connection for the writes (a connection per statement made the suite's set-up slow on a busy machine).
  const sourceClient = new Client({ connectionString: source.url });
  await sourceClient.connect();
  const writer = new UmamiWriter((text, params) => sourceClient.query(text, params));
  return { source, recsys, service, address, writer, sourceClient, client: new ProfileServiceClient(address, credentials.createInsecure()), stateDir: await mkdtemp(join(tmpdir(), 'recsys-shop-')) };
}

async function stop(env: Env | undefined) {
  if (!env) return;
  env.client.close();
  await env.sourceClient.end();
  env.service.child.kill('SIGTERM');
  await env.service.exited;
  await env.recsys.drop();
  await env.source.drop();
  await rm(env.stateDir, { recursive: true, force: true });
}

/**
 * A small shop's traffic, the same for any website id: each visitor's visits
 * view pages, view products (custom view_item with a numeric id), cart them
 * (a nested product object), and some buy (Umami's revenue + currency, with a
 * GA4 items array), one order in another currency; plus a link click and
 * performance events. `minutes` chooses which events to write (by offset).
 */
async function writeShop(w: UmamiWriter, site: string, sessions: string[], keep: (minute: number) => boolean = () => true) {
  const at = (m: number) => new Date(BASE + m * 60_000);
  for (let u = 0; u < sessions.length; u++) {
    const visit = (v: number) => `00000000-0000-4000-8${String(v).padStart(3, '0')}-${sessions[u].slice(-12)}`;
    for (let v = 0; v < 2; v++) {
      const t0 = u * 300 + v * 100;
      const ev = (m: number, e: Omit<Parameters<UmamiWriter['event']>[0], 'website' | 'session' | 'visit' | 'at'>) =>
        keep(t0 + m) ? w.event({ website: site, session: sessions[u], visit: visit(v), at: at(t0 + m), ...e }) : undefined;
      const product = 4120 + ((u + v) % 5);
      await ev(0, { path: '/' });
      await ev(1, { path: `/p/${product}` });
      await ev(2, { type: 2, name: 'view_item', path: `/p/${product}`, data: { product_id: product, category: `cat-${product % 3}`, price: 19.99 } });
      if ((u + v) % 2 === 0) await ev(3, { type: 2, name: 'add_to_cart', data: { product: { id: product, category: `cat-${product % 3}`, price: 19.99 } } });
      if (u % 3 === 1 && v === 1) {
        await ev(4, { type: 2, name: 'checkout-cart', path: '/checkout', data: { revenue: 45.5, currency: 'EUR', items: [{ item_id: String(product), price: 19.99, quantity: 2 }] } });
      }
      if (u === 2 && v === 0) await ev(5, { type: 2, name: 'checkout-cart', path: '/checkout', data: { revenue: 30, currency: 'USD' } });
      await ev(6, { type: 5, path: '/', data: {} });
    }
  }
  // A link click: Umami writes the link's id as the event's website id.
  if (keep(0)) await w.event({ website: randomUUID(), session: sessions[0], visit: sessions[0], at: at(0), type: 3, path: '/l' });
}

async function addSessions(w: UmamiWriter, site: string, n: number, distinct: (u: number) => string | null) {
  const sessions = Array.from({ length: n }, () => randomUUID());
  for (let u = 0; u < n; u++) await w.session(sessions[u], site, ['mobile', 'desktop', 'laptop'][u % 3], distinct(u));
  return sessions;
}

const importArgs = (env: Env, ...args: string[]) => runCli({ profile: env.address }, [
  'profiles', 'import-umami', '--source-database-url', env.source.url, '--state-file', join(env.stateDir, 'state.json'), '--settle-seconds', '0', ...args,
]);
const getProfile = async (env: Env, websiteId: string, userId: string): Promise<Profile> =>
  (await unary(env.client.getProfile.bind(env.client), { websiteId, userId })).profile!;

describe.each(UMAMI_VERSIONS)('importing a shop from Umami %s into a separate Recsys database', (version) => {
  let env: Env;
  const site = randomUUID();
  beforeAll(async () => {
    env = await start(version);
    await env.writer.website(site, 'Demo shop', 'shop.example');
    const sessions = await addSessions(env.writer, site, 6, (u) => (u % 3 === 0 ? null : `member-${u}`));
    await writeShop(env.writer, site, sessions);
  }, 60_000);
  afterAll(() => stop(env));

  it('creates the website, skips by type and currency, and every profile agrees with SQL on Umami’s own tables', async () => {
    const res = await importArgs(env);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    // 12 performance events and the other-currency order skipped; the link is no website of the import.
    expect(res.out).toMatch(/13 \(performance 12, other currency 1\)/);
    expect(res.out).toMatch(/\bEUR\b/);
    const website = await withClient(env.recsys.url, (c) => c.query('SELECT name, domain FROM website'));
    expect(website.rows).toEqual([{ name: 'Demo shop', domain: 'shop.example' }]);

    const expected = await withClient(env.source.url, (c) =>
      c.query<{ user_id: string; pageviews: number; sessions: number; revenue: string; orders: number; products: string[] }>(
        `SELECT COALESCE(s.distinct_id, s.session_id::text) AS user_id,
           (SELECT count(*)::int FROM website_event we WHERE we.session_id = s.session_id AND we.event_type = 1) AS pageviews,
           (SELECT count(DISTINCT we.visit_id)::int FROM website_event we WHERE we.session_id = s.session_id AND we.event_type IN (1, 2)) AS sessions,
           to_char(COALESCE((SELECT sum(r.revenue) FROM revenue r WHERE r.session_id = s.session_id AND upper(r.currency) = 'EUR'), 0), 'FM999990.0000') AS revenue,
           (SELECT count(*)::int FROM revenue r WHERE r.session_id = s.session_id AND upper(r.currency) = 'EUR') AS orders,
           ARRAY(SELECT DISTINCT p FROM (
             SELECT ed.number_value::int::text AS p FROM event_data ed JOIN website_event we ON we.event_id = ed.website_event_id
              WHERE we.session_id = s.session_id AND ed.data_key IN ('product_id', 'product.id')
             UNION SELECT jsonb_array_elements(ed.string_value::jsonb)->>'item_id' FROM event_data ed JOIN website_event we ON we.event_id = ed.website_event_id
              WHERE we.session_id = s.session_id AND ed.data_key = 'items') x ORDER BY p) AS products
         FROM session s WHERE s.website_id = $1 ORDER BY 1`,
        [site],
      ),
    );
    expect(expected.rows).toHaveLength(6);
    for (const e of expected.rows) {
      const p = await getProfile(env, site, e.user_id);
      expect({ user: e.user_id, pageviews: p.totalPageviews, sessions: p.sessionCount, revenue: p.totalRevenue, orders: p.totalPurchases, products: [...p.favoriteProducts].sort() }).toEqual({
        user: e.user_id, pageviews: e.pageviews, sessions: e.sessions, revenue: e.revenue, orders: e.orders, products: e.products,
      });
    }
  }, 60_000);
});

describe('the same events give the same profiles: one run, two runs with late events, batches of one', () => {
  let env: Env;
  const [one, two, tiny] = [randomUUID(), randomUUID(), randomUUID()];
  const members = (u: number) => `member-${u}`;
  let twoSessions: string[];
  beforeAll(async () => {
    env = await start('v3.1.0');
    for (const site of [one, two, tiny]) await env.writer.website(site, `shop ${site.slice(0, 4)}`, '');
    await writeShop(env.writer, one, await addSessions(env.writer, one, 5, members));
    await writeShop(env.writer, tiny, await addSessions(env.writer, tiny, 5, members));
    twoSessions = await addSessions(env.writer, two, 5, members);
    // Site "two" gets the events at even minutes first.
    await writeShop(env.writer, two, twoSessions, (m) => m % 2 === 0);
  }, 60_000);
  afterAll(() => stop(env));

  it('after the rest arrives late (timestamps before the watermark), all three sites hold identical profiles', async () => {
    expect((await importArgs(env, '--website', one)).code).toBe(0);
    expect((await importArgs(env, '--website', tiny, '--batch-size', '1')).code).toBe(0);
    expect((await importArgs(env, '--website', two)).code).toBe(0);
    // The odd minutes now arrive, all older than the watermark.
    await writeShop(env.writer, two, twoSessions, (m) => m % 2 === 1);
    const second = await importArgs(env, '--website', two);
    expect(second.code).toBe(0);
    const row = second.out.split('\n').find((l) => l.includes(two) && l.includes('│'))!.split('│').map((c) => c.trim()).filter(Boolean);
    expect(Number(row[1])).toBe(0); // nothing after the watermark...
    expect(Number(row[5])).toBeGreaterThan(0); // ...but late events, re-read from their days

    for (let u = 0; u < 5; u++) {
      const [a, b, c] = await Promise.all([one, two, tiny].map((site) => getProfile(env, site, members(u))));
      const same = (p: Profile) => ({ ...p, websiteId: '', createdAt: undefined, updatedAt: undefined });
      expect(same(b)).toEqual(same(a));
      expect(same(c)).toEqual(same(a));
      expect(a.totalEvents).toBeGreaterThan(4);
    }
  }, 60_000);

  it('--follow imports a new Umami event and stops cleanly on Ctrl-C', async () => {
    const before = await getProfile(env, one, members(0));
    const child = spawn(process.execPath, [join(__dirname, '../bin/recsys.js'), 'profiles', 'import-umami', '--source-database-url', env.source.url,
      '--website', one, '--state-file', join(env.stateDir, 'state.json'), '--settle-seconds', '0', '--follow', '--interval-seconds', '0.2'], {
      env: { ...process.env, RECSYS_PROFILE_ADDR: env.address },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const session = (await withClient(env.source.url, (c) => c.query(`SELECT session_id FROM session WHERE website_id = $1 AND distinct_id = 'member-0'`, [one]))).rows[0].session_id;
      await env.writer.event({ website: one, session, visit: session, at: new Date(), path: '/new-page' });
      // Wait on the change itself: the profile's page views grow by one.
      for (let i = 0; i < 300 && (await getProfile(env, one, members(0))).totalPageviews === before.totalPageviews; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await getProfile(env, one, members(0))).totalPageviews).toBe(before.totalPageviews + 1);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped: 1 events accepted/);
  }, 60_000);
});
