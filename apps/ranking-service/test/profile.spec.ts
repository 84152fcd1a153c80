import type { StartedService } from '@recsys/service-kit';
import { findFreePort } from '@recsys/db';
import { ProfileDouble } from './support/profile-double';
import { startHarness, type Harness } from './support/harness';

/** Recommend with profile-service up, slow, down, and never configured. */
describe('profiles from profile-service', () => {
  const profiles = new ProfileDouble();
  let profileServer: StartedService;
  let h: Harness;
  let site: string;

  beforeAll(async () => {
    profileServer = await profiles.start();
    h = await startHarness({
      env: { PROFILE_SERVICE_ADDR: `127.0.0.1:${profileServer.port}`, PROFILE_DEADLINE_MS: '200', PROFILE_CACHE_TTL_MS: '60000' },
    });
    site = await h.newWebsite();
    await h.upsert(site, [
      { itemId: 'shoe', category: 'shoes' },
      { itemId: 'hat', category: 'hats' },
      { itemId: 'bag', category: 'bags' },
    ]);
  });
  afterAll(async () => {
    await h?.close();
    await profileServer?.close();
  });
  beforeEach(() => {
    profiles.delayMs = 0;
  });

  it("uses the profile: favourites' neighbours rank first, reasons say so, and it is cached", async () => {
    profiles.profiles.set('fan', { favoriteCategories: ['hats'] });
    const res = await h.recommend({ websiteId: site, userId: 'fan', count: 3, explain: true });
    expect(res.profileUsed).toBe(true);
    expect(res.items[0]).toMatchObject({ itemId: 'hat', source: 'favorites' });
    expect(res.items[0]!.reasons).toContain("in favourite category 'hats'");
    const before = profiles.calls;
    await h.recommend({ websiteId: site, userId: 'fan' });
    expect(profiles.calls).toBe(before);
  });

  it('an unknown user is answered without a profile', async () => {
    const res = await h.recommend({ websiteId: site, userId: 'stranger', count: 3 });
    expect(res).toMatchObject({ profileUsed: false });
    expect(res.items).toHaveLength(3);
  });

  it('anonymous calls never ask profile-service', async () => {
    const before = profiles.calls;
    const res = await h.recommend({ websiteId: site, userId: '', count: 3 });
    expect(res.profileUsed).toBe(false);
    expect(profiles.calls).toBe(before);
  });

  it('a slow profile-service: answered within the deadline without the profile, flagged', async () => {
    profiles.profiles.set('slowpoke', { favoriteCategories: ['bags'] });
    profiles.delayMs = 2_000;
    const res = await h.recommend({ websiteId: site, userId: 'slowpoke', count: 3, explain: true });
    expect(res).toMatchObject({ profileUsed: false });
    expect(res.items[0]!.reasons).toContain('profile-service did not answer in time: ranked without the profile');
    expect(res.items).toHaveLength(3);
    const logged = await waitForLog(h, res.recommendationId);
    expect(logged.personalization_factors.profile).toBe('timeout');
  });

  it('profile-service down: answers, flagged, no error', async () => {
    const down = await startHarness({ env: { PROFILE_SERVICE_ADDR: `127.0.0.1:${await findFreePort()}`, PROFILE_DEADLINE_MS: '200' } });
    try {
      const s = await down.newWebsite();
      await down.upsert(s, [{ itemId: 'a' }]);
      const res = await down.recommend({ websiteId: s, userId: 'someone', explain: true });
      expect(res.items[0]!.reasons.join(' ')).toMatch(/ranked without the profile/);
      expect(res).toMatchObject({ profileUsed: false, items: [expect.objectContaining({ itemId: 'a' })] });
      const logged = await waitForLog(down, res.recommendationId);
      expect(['unavailable', 'timeout']).toContain(logged.personalization_factors.profile);
    } finally {
      await down.close();
    }
  });
});

async function waitForLog(h: Harness, recommendationId: string) {
  for (let i = 0; i < 400; i++) {
    const r = await h.sql.query('SELECT * FROM recommendations WHERE recommendation_id = $1', [recommendationId]);
    if (r.rowCount) return r.rows[0];
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`no log row for ${recommendationId}`);
}
