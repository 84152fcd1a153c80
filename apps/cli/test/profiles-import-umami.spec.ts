import { credentials } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device, FunnelPosition, ProfileServiceClient, type Profile } from '@recsys/contracts/profile';
import { findFreePort, runMigrations, withClient } from '@recsys/db';
import { createTestDatabase, umamiSchemaSql, type TestDatabase } from '@recsys/db/testing';
import { spawnNode, unary, waitForServing, type ServiceProcess } from '@recsys/service-kit/testing';
import { runCli } from './support/run-cli';

/**
 * `recsys profiles import-umami` end to end: an Umami-shaped source database
 * (Umami 2.20's tables, tools/test/umami), a real profile-service process
 * over a Recsys database that lives inside another Umami database, and the
 * CLI in this process. Event data written here the way an older tracker
 * might (numbers in number_value only); Umami's own way is in
 * profiles-import-umami-shop.spec.ts.
 */
describe('recsys profiles import-umami', () => {
  let recsys: TestDatabase;
  let source: TestDatabase;
  let service: ServiceProcess;
  let client: ProfileServiceClient;
  let address: string;
  let stateDir: string;
  const site = randomUUID();
  const [alice, bob] = [randomUUID(), randomUUID()]; // Umami session ids = Recsys user ids
  const [visitA1, visitA2, visitB1] = [randomUUID(), randomUUID(), randomUUID()];
  const T = (minute: number) => new Date(Date.UTC(2026, 10, 20, 10, minute)).toISOString();

  const src = (text: string, params: unknown[] = []) => withClient(source.url, (c) => c.query(text, params));
  const addEvent = async (e: { session: string; visit: string; at: string; path?: string; type?: number; name?: string; data?: Record<string, string | number>; product?: string }) => {
    const id = randomUUID();
    await src(
      `INSERT INTO website_event (event_id, website_id, session_id, visit_id, created_at, url_path, event_type, event_name, product_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, site, e.session, e.visit, e.at, e.path ?? '/', e.type ?? 1, e.name ?? null, e.product ?? null],
    );
    for (const [key, value] of Object.entries(e.data ?? {})) {
      const numeric = typeof value === 'number';
      await src(
        `INSERT INTO event_data (event_data_id, website_id, website_event_id, data_key, string_value, number_value, data_type)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [randomUUID(), site, id, key, numeric ? null : value, numeric ? value : null, numeric ? 2 : 1],
      );
    }
    return id;
  };

  const cli = async (...args: string[]) => {
    const { code, out: stdout, err: stderr } = await runCli({ profile: address }, [
      'profiles', 'import-umami', '--source-database-url', source.url, '--state-file', join(stateDir, 'state.json'), '--settle-seconds', '0', ...args,
    ]);
    return { code, stdout, stderr };
  };
  const profile = async (userId: string): Promise<Profile> => (await unary(client.getProfile.bind(client), { websiteId: site, userId })).profile!;
  /** The numbers of the summary table's row for the site: read, accepted, duplicates, skipped. */
  const counts = (stdout: string) => {
    const row = stdout.split('\n').find((l) => l.includes(site) && l.includes('│'))!;
    return row.split('│').map((c) => c.trim()).filter(Boolean).slice(1, 5).map(Number);
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'recsys-umami-'));
    // Recsys inside an Umami database (Umami first, then Recsys's migrations), reading another Umami database.
    recsys = await createTestDatabase({ migrated: false });
    await withClient(recsys.url, async (c) => c.query(await umamiSchemaSql('v2.20.2')));
    await runMigrations({ databaseUrl: recsys.url });
    source = await createTestDatabase({ migrated: false });
    await src(await umamiSchemaSql('v2.20.2'));
    // A WooCommerce-style tracker added a product column to website_event.
    await src('ALTER TABLE website_event ADD COLUMN product_id VARCHAR(255)');
    await src(`INSERT INTO website (website_id, name, domain) VALUES ($1, 'shop', 'shop.example')`, [site]);
    const [grpcPort, metricsPort] = [await findFreePort(), await findFreePort()];
    address = `127.0.0.1:${grpcPort}`;
    service = spawnNode(join(__dirname, '../../profile-service/src/main.ts'), {
      PATH: process.env.PATH, DATABASE_URL: recsys.url, GRPC_PORT: String(grpcPort), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn',
      PRICE_REFERENCE_TTL_MS: '0',
    });
    await waitForServing(address);
    client = new ProfileServiceClient(address, credentials.createInsecure());

    await src(`INSERT INTO session (session_id, website_id, device) VALUES ($1, $3, 'mobile'), ($2, $3, 'laptop')`, [alice, bob, site]);
    // alice, visit 1: home, a product page (product via the extra column, facts via event_data), add to cart, purchase.
    await addEvent({ session: alice, visit: visitA1, at: T(0), path: '/' });
    await addEvent({ session: alice, visit: visitA1, at: T(1), path: '/p/shoe', product: 'shoe-1', data: { category: 'shoes', brand: 'Acme', price: 80, scroll_depth: 60 } });
    await addEvent({ session: alice, visit: visitA1, at: T(2), type: 2, name: 'add_to_cart', data: { product_id: 'shoe-1', cart_value: 80 } });
    await addEvent({ session: alice, visit: visitA1, at: T(4), type: 2, name: 'purchase', data: { order_id: 'wc-1001', revenue: 80.5 } });
    // bob: one page, then a custom event.
    await addEvent({ session: bob, visit: visitB1, at: T(3), path: '/blog' });
    await addEvent({ session: bob, visit: visitB1, at: T(5), type: 2, name: 'newsletter_signup' });
  });

  afterAll(async () => {
    client?.close();
    service?.child.kill('SIGTERM');
    await service?.exited;
    await recsys?.drop();
    await source?.drop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('builds profiles from session, website_event and event_data', async () => {
    const first = await cli('--website', site);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(counts(first.stdout)).toEqual([6, 6, 0, 0]);
    expect(first.stdout).toMatch(/imported 6 events from 1 website/);
    // The website was copied into the Recsys database (UpsertWebsites).
    const copied = await withClient(recsys.url, (c) => c.query('SELECT name, domain FROM website WHERE website_id = $1', [site]));
    expect(copied.rows).toEqual([{ name: 'shop', domain: 'shop.example' }]);

    expect(await profile(alice)).toMatchObject({
      totalEvents: 4,
      totalPageviews: 2,
      totalPurchases: 1,
      totalRevenue: '80.5000',
      sessionCount: 1,
      avgSessionDurationSeconds: 240,
      avgScrollDepthPercent: 60,
      favoriteCategories: ['shoes'],
      favoriteProducts: ['shoe-1'],
      preferredBrands: ['Acme'],
      funnelPosition: FunnelPosition.FUNNEL_POSITION_RETENTION,
      devicePreference: Device.DEVICE_MOBILE,
    });
    expect(await profile(bob)).toMatchObject({
      totalEvents: 2,
      totalPageviews: 1,
      bounceRate: 0,
      funnelPosition: FunnelPosition.FUNNEL_POSITION_AWARENESS,
      devicePreference: Device.DEVICE_DESKTOP, // Umami "laptop"
    });
  });

  it('a second run reads nothing and changes nothing', async () => {
    const before = [await profile(alice), await profile(bob)];
    const second = await cli('--website', site);
    expect(second.code).toBe(0);
    expect(counts(second.stdout)).toEqual([0, 0, 0, 0]);
    expect([await profile(alice), await profile(bob)]).toEqual(before);
  });

  it('after new events, a run reads only those', async () => {
    await addEvent({ session: alice, visit: visitA2, at: T(30), path: '/p/hat', product: 'hat-1', data: { category: 'hats', price: 20 } });
    await addEvent({ session: bob, visit: visitB1, at: T(31), path: '/blog/2' });
    const third = await cli('--website', site);
    expect(counts(third.stdout)).toEqual([2, 2, 0, 0]);
    const a = await profile(alice);
    // hats (view, 10:30) ties shoes (view, 10:01) at weight 1 and is more recent; shoe-1 also has a cart (1 + 3).
    expect(a).toMatchObject({ totalEvents: 5, sessionCount: 2, favoriteCategories: ['hats', 'shoes'], favoriteProducts: ['shoe-1', 'hat-1'] });
    expect((await profile(bob)).totalPageviews).toBe(2);
  });

  it('refuses a website the source does not have (link and pixel events carry their own id there), without a watermark', async () => {
    const link = randomUUID();
    await src(`INSERT INTO website_event (event_id, website_id, session_id, visit_id, created_at, url_path, event_type) VALUES ($1, $2, $3, $3, $4, '/', 3)`, [
      randomUUID(), link, randomUUID(), T(0),
    ]);
    const res = await cli('--website', link);
    expect(res.code).toBe(66);
    expect(res.stderr).toMatch(/the source has no website/);
    const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8'));
    expect(Object.keys(state).some((k) => k.endsWith(link))).toBe(false);
    // Without --website the link's id is not listed as a website.
    const all = await cli();
    expect(all.stdout).not.toContain(link);
  });

  it('reads from the database Recsys itself uses (Umami and Recsys tables side by side)', async () => {
    await withClient(recsys.url, async (c) => {
      await c.query(
        `INSERT INTO website_event (event_id, website_id, session_id, visit_id, created_at, url_path) VALUES ($1, $2, $3, $3, $4, '/same-db')`,
        [randomUUID(), site, bob, T(40)],
      );
    });
    const { code, out: stdout } = await runCli({ profile: address }, [
      'profiles', 'import-umami', '--source-database-url', recsys.url, '--website', site, '--state-file', join(stateDir, 'same.json'), '--settle-seconds', '0',
    ]);
    expect(code).toBe(0);
    expect(counts(stdout)).toEqual([1, 1, 0, 0]);
    expect((await profile(bob)).totalPageviews).toBe(3);
    // The website row there is Umami's own: the import found it current and wrote nothing to it.
    const row = await withClient(recsys.url, (c) => c.query('SELECT updated_at FROM website WHERE website_id = $1', [site]));
    expect(row.rows[0].updated_at).toBeNull();
  });

  it('reports bad usage and a source without Umami tables', async () => {
    expect((await cli('--website', 'nope')).code).toBe(2);
    const empty = await createTestDatabase({ migrated: false });
    try {
      const { code, err: stderr } = await runCli({ profile: address }, [
        'profiles', 'import-umami', '--source-database-url', empty.url, '--state-file', join(stateDir, 's2.json'),
      ]);
      expect(code).toBe(65);
      expect(stderr).toMatch(/has no Umami table "website"/);
    } finally {
      await empty.drop();
    }
  });
});
