import { withClient } from '@recsys/db';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import { DEMO_WEBSITE_ID, loadDemoIfEmpty } from './demo';
import { services } from './services';

/** `npm start` with DATABASE_URL set must never write demo data into a shop's database. */
describe('the demo guard', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const unreachable = { profile: '127.0.0.1:1', registry: '127.0.0.1:1', ranking: '127.0.0.1:1' };
  const counts = () =>
    withClient(db.url, async (c) => (await c.query(`SELECT (SELECT count(*) FROM website)::int AS w, (SELECT count(*) FROM user_profiles)::int AS p`)).rows[0]);

  it('leaves a database that has websites untouched, and says why', async () => {
    await withClient(db.url, (c) => c.query(`INSERT INTO website (website_id, name) VALUES ('6a1d3e5b-0000-4000-8000-0000000000aa', 'a shop')`));
    const before = await counts();
    // The services are unreachable: had it tried to write anything, it would have thrown.
    expect(await loadDemoIfEmpty(db.url, unreachable, () => undefined, { evenWithWebsites: false })).toBe('has-websites');
    expect(await counts()).toEqual(before);
  });

  it('does nothing where the demo is already loaded, even when asked', async () => {
    await withClient(db.url, (c) => c.query(`INSERT INTO website (website_id, name) VALUES ($1, 'demo')`, [DEMO_WEBSITE_ID]));
    expect(await loadDemoIfEmpty(db.url, unreachable, () => undefined, { evenWithWebsites: true })).toBe('present');
  });
});

describe('npm start ports', () => {
  it('default to 50051-50053 / 9461-9463, and each can be set; ranking follows the other two', () => {
    expect(services({}).map((s) => [s.grpcPort, s.metricsPort])).toEqual([[50051, 9461], [50052, 9462], [50053, 9463]]);
    const [profile, registry, ranking] = services({ PROFILE_GRPC_PORT: '6001', REGISTRY_GRPC_PORT: '6002', RANKING_METRICS_PORT: '7003' });
    expect([profile.env.GRPC_PORT, registry.env.GRPC_PORT, ranking.env.METRICS_PORT]).toEqual(['6001', '6002', '7003']);
    expect([ranking.env.PROFILE_SERVICE_ADDR, ranking.env.REGISTRY_ADDR]).toEqual(['127.0.0.1:6001', '127.0.0.1:6002']);
    expect(() => services({ RANKING_GRPC_PORT: '70000' })).toThrow('RANKING_GRPC_PORT must be a port number 1..65535, got "70000"');
  });
});
