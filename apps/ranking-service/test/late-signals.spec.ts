import type { StartedService } from '@recsys/service-kit';
import { ProfileDouble } from './support/profile-double';
import { eventually, startHarness, type Harness } from './support/harness';

/**
 * A website's first load waits at most a second for the item signals; when
 * they come later (profile-service's first computation after an import can
 * take seconds) they are built in as they arrive, not a catalog refresh later.
 */
describe('item signals later than the first load', () => {
  const profiles = new ProfileDouble();
  let profileServer: StartedService;
  let h: Harness;

  beforeAll(async () => {
    profileServer = await profiles.start();
    // A refresh interval far beyond the test: only the late answer itself can bring the signals in.
    h = await startHarness({ env: { PROFILE_SERVICE_ADDR: `127.0.0.1:${profileServer.port}`, CATALOG_REFRESH_INTERVAL_MS: '600000' } });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await profileServer?.close();
  });

  it('answers from the catalog first, then from the signals as soon as they arrive', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'a' }, { itemId: 'b' }]);
    const signal = (itemId: string, popularity: number) => ({
      itemId,
      popularity,
      views: popularity,
      carts: 0,
      purchases: 0,
      coVisited: [],
      nextItems: [],
      popularity1d: 0,
      popularity7d: 0,
      boughtTogether: [],
      segmentPopularity: {},
    });
    const computedAt = new Date(Date.now() - 5_000);
    profiles.itemSignals = { version: 'v1', unchanged: false, items: [signal('b', 50)], computedAt };
    profiles.signalsDelayMs = 1_500;
    // Without signals: ties, by id, and the answer says it had none.
    const first = await h.recommend({ websiteId: site, count: 2, dryRun: true });
    expect(first.items[0]!.itemId).toBe('a');
    expect(first.itemSignalsComputedAt).toBeUndefined();
    await eventually(async () => {
      const later = await h.recommend({ websiteId: site, count: 2, dryRun: true });
      expect(later.items[0]!.itemId).toBe('b');
      // Which computation ranked it: the one profile-service said.
      expect(later.itemSignalsComputedAt).toEqual(computedAt);
    });
  }, 30_000);
});
