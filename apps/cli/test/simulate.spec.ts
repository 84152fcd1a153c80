import type { Client } from 'pg';
import { EXIT } from '../src/exit-codes';
import { runCli } from './support/run-cli';
import { startStack, type Service, type Stack } from './support/stack';

/** `recsys simulate` against profile-service and ranking-service as their own processes. */
describe('recsys simulate', () => {
  let stack: Stack;
  let sql: Client;
  let profile: Service;
  let ranking: Service;

  beforeAll(async () => {
    stack = await startStack('simulate', { registry: false, rankingEnv: { LOG_FLUSH_INTERVAL_MS: '50' } });
    ({ sql, profile, ranking } = stack);
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  const count = async (text: string, params: unknown[]) => Number((await sql.query<{ n: string }>(text, params)).rows[0]!.n);

  it('tracks the history and the live visits, shows recommendations on every page and records what was clicked', async () => {
    const res = await runCli({ profile: profile.address, ranking: ranking.address }, ['simulate', '--items', '40', '--users', '15', '--history-days', '7', '--sessions', '12', '--json']);
    expect(res).toMatchObject({ code: EXIT.ok, err: '' });
    const r = JSON.parse(res.out) as { websiteId: string; historyEvents: number; liveEvents: number; shown: number; clicks: number; ctr: number; signalsServed: boolean; strategies: Record<string, number> };
    expect(r.signalsServed).toBe(true);
    expect(r.historyEvents).toBeGreaterThan(0);
    // Every simulated event names an item: the interaction log holds exactly them.
    expect(await count('SELECT count(*) AS n FROM interactions WHERE website_id = $1', [r.websiteId])).toBe(r.historyEvents + r.liveEvents);
    expect(await count('SELECT count(*) AS n FROM user_profiles WHERE website_id = $1', [r.websiteId])).toBeGreaterThan(0);
    expect(await count('SELECT count(*) AS n FROM catalog_items WHERE website_id = $1', [r.websiteId])).toBe(40);
    // Each live page asked for 5: the log holds every shown item once it is flushed, and the clicks on them.
    expect(r.shown).toBeGreaterThan(0);
    expect(r.shown % 5).toBe(0);
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      if ((await count('SELECT count(*) AS n FROM recommendations WHERE website_id = $1', [r.websiteId])) === r.shown) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await count('SELECT count(*) AS n FROM recommendations WHERE website_id = $1', [r.websiteId])).toBe(r.shown);
    expect(await count('SELECT count(*) AS n FROM recommendations WHERE website_id = $1 AND clicked', [r.websiteId])).toBe(r.clicks);
    expect(r.ctr).toBeCloseTo(r.clicks / r.shown, 12);
    expect(Object.values(r.strategies).reduce((a, b) => a + b, 0)).toBe(r.shown / 5);
  }, 120_000);

  it('refuses a bad number with a usage error naming the flag', async () => {
    const res = await runCli({ profile: profile.address, ranking: ranking.address }, ['simulate', '--users', '0']);
    expect(res.code).toBe(EXIT.usage);
    expect(res.err).toContain('--users: expected a whole number 1..100000, got "0"');
  });
});
