import { credentials } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Device, Event, EventType, ProfileServiceClient } from '@recsys/contracts/profile';
import { withClient } from '@recsys/db';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { spawnService, unary, type ServiceProcess } from '@recsys/service-kit/testing';
import { EXIT } from '../src/exit-codes';
import { runCli } from './support/run-cli';

/** `recsys profiles get | list | delete` against a real profile-service process. */
describe('recsys profiles get / list / delete', () => {
  let db: TestDatabase;
  let service: { proc: ServiceProcess; address: string };
  let ranking: { proc: ServiceProcess; address: string };
  let client: ProfileServiceClient;
  const site = randomUUID();
  const recsys = (...args: string[]) => runCli({ profile: service.address, ranking: ranking.address }, ['profiles', ...args]);
  const at = (minute: number) => new Date(Date.now() - 3 * 86_400_000 + minute * 60_000);
  // The other fields stay empty (Event.fromPartial).
  const event = (userId: string, minute: number, type: EventType, extra: Partial<Event> = {}): Event =>
    Event.fromPartial({
      eventId: randomUUID(),
      userId,
      sessionId: '00000000-0000-4000-8000-000000000001',
      occurredAt: at(minute),
      type,
      device: Device.DEVICE_MOBILE,
      timeOnPageSeconds: 0,
      scrollDepthPercent: 0,
      ...extra,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    await withClient(db.url, (c) => c.query(`INSERT INTO website (website_id, name) VALUES ($1, 'shop')`, [site]));
    service = await spawnService(join(__dirname, '../../profile-service/src/main.ts'), 'profile-service', { DATABASE_URL: db.url });
    // The recommendations log is ranking-service's: --with-recommendations erases there.
    ranking = await spawnService(join(__dirname, '../../ranking-service/src/main.ts'), 'ranking-service', {
      DATABASE_URL: db.url,
      MODEL_CACHE_DIR: join(tmpdir(), `recsys-cli-profiles-${randomUUID()}`),
    });
    await withClient(db.url, (c) =>
      c.query(`INSERT INTO recommendations (session_id, user_id, website_id, item_id) VALUES ($1, 'ben', $2, 'a'), ($1, 'ben', $2, 'b'), ($1, 'ann', $2, 'a')`, [
        randomUUID(),
        site,
      ]),
    );
    client = new ProfileServiceClient(service.address, credentials.createInsecure());
    await unary(client.trackEvents.bind(client), {
      websiteId: site,
      events: [
        event('ann', 0, EventType.EVENT_TYPE_PAGE_VIEW, { urlPath: '/' }),
        event('ann', 1, EventType.EVENT_TYPE_PRODUCT_VIEW, { itemId: 'sku-1', category: 'shoes', brand: 'Acme', price: '20' }),
        event('ann', 2, EventType.EVENT_TYPE_PURCHASE, { revenue: '20.00', orderId: 'o-1' }),
        event('ben', 5, EventType.EVENT_TYPE_PAGE_VIEW, { urlPath: '/blog' }),
      ],
    });
  });
  afterAll(async () => {
    client?.close();
    for (const s of [service, ranking]) {
      s?.proc.child.kill('SIGTERM');
      await s?.proc.exited;
    }
    await db?.drop();
  });

  it('get prints the profile as field lines, or as JSON', async () => {
    const res = await recsys('get', '--website', site, '--user', 'ann');
    expect(res.code).toBe(EXIT.ok);
    expect(res.out).toMatch(/^user\s+ann$/m);
    expect(res.out).toMatch(/^lifecycle stage\s+new$/m);
    expect(res.out).toMatch(/^funnel position\s+retention$/m);
    expect(res.out).toMatch(/^purchases \/ revenue\s+1 \/ 20\.0000$/m);
    expect(res.out).toMatch(/^favourite categories\s+shoes$/m);
    expect(res.out).toMatch(/^device\s+mobile$/m);

    const json = await recsys('get', '--website', site, '--user', 'ann', '--json');
    expect(JSON.parse(json.out)).toMatchObject({
      userId: 'ann',
      totalEvents: 3,
      favoriteProducts: ['sku-1'],
      lifecycleStage: 'new',
      funnelPosition: 'retention',
      devicePreference: 'mobile',
    });
    const page = JSON.parse((await recsys('list', '--website', site, '--json')).out);
    expect(page.profiles.map((p: { userId: string; lifecycleStage: string }) => [p.userId, p.lifecycleStage])).toEqual([
      ['ben', 'new'],
      ['ann', 'new'],
    ]);
    expect(page.nextPageToken).toBe('');
  });

  it('get of an unknown user exits 66 with the server’s message', async () => {
    const res = await recsys('get', '--website', site, '--user', 'nobody');
    expect(res.code).toBe(EXIT.notFound);
    expect(res.err).toContain('no profile for user_id "nobody"');
  });

  it('list prints a page newest first, filters, and pages with the printed token', async () => {
    const all = await recsys('list', '--website', site);
    expect(all.code).toBe(EXIT.ok);
    expect(all.out).toMatch(/^2 profiles$/m);
    expect(all.out.indexOf('ben')).toBeLessThan(all.out.indexOf('ann'));

    const buyers = await recsys('list', '--website', site, '--funnel', 'retention');
    expect(buyers.out).toMatch(/^1 profiles$/m);
    expect(buyers.out).toContain('ann');
    expect(buyers.out).not.toContain('ben');

    const first = await recsys('list', '--website', site, '--limit', '1');
    const token = /next page: --page-token (\S+)/.exec(first.out)?.[1];
    expect(first.out).toContain('ben');
    expect(token).toBeDefined();
    const second = await recsys('list', '--website', site, '--limit', '1', '--page-token', token!);
    expect(second.out).toContain('ann');
    expect(second.out).not.toContain('next page');
  });

  it('list refuses an unknown stage and a bad limit before calling the service (exit 2)', async () => {
    const stage = await recsys('list', '--website', site, '--stage', 'sleepy');
    expect(stage).toMatchObject({ code: EXIT.usage, err: 'recsys: --stage sleepy: expected one of new, active, at_risk, churned\n' });
    const limit = await recsys('list', '--website', site, '--limit', '0');
    expect(limit).toMatchObject({ code: EXIT.usage, err: 'recsys: --limit must be a whole number from 1 to 1000\n' });
  });

  it('delete erases the profile (then get is NOT_FOUND) and, asked to, its recommendations rows at ranking-service; deleting again says there was none', async () => {
    const res = await recsys('delete', '--website', site, '--user', 'ben', '--with-recommendations');
    expect(res.code).toBe(EXIT.ok);
    expect(res.out).toMatch(/^profile deleted; \d+ bookkeeping rows, 2 recommendations rows deleted$/m);
    expect((await withClient(db.url, (c) => c.query('SELECT user_id FROM recommendations WHERE website_id = $1', [site]))).rows).toEqual([{ user_id: 'ann' }]);
    expect((await recsys('get', '--website', site, '--user', 'ben')).code).toBe(EXIT.notFound);
    expect((await recsys('delete', '--website', site, '--user', 'ben')).out).toBe('no profile; 0 bookkeeping rows deleted\n');
  });
});
