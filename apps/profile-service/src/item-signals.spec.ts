import type { Clock } from './clock';
import { ItemSignals, PACE } from './item-signals';
import type { ProfileStore } from './store/profile-store';

const WEBSITE = '6f1c1a52-7d1e-4a55-9d0a-7b0c4d2e9a10';

/** A store whose every statement takes `statementMs` of the fake clock's time and answers one item (deltas: nothing new, instantly); `full()` names the full computations' statements run. */
function slowStore(clock: { t: number }, statementMs: number) {
  const calls: string[] = [];
  const full = () => calls.filter((name) => !name.includes('delta'));
  const store = {
    forWebsite: () => ({ requireExists: async () => undefined }),
    query: async (_sql: string, _params: unknown[], name: string) => {
      calls.push(name);
      if (!name.includes('delta')) clock.t += statementMs; // the deltas read minutes of traffic: instant here
      return name === 'item-signals-popularity' ? [{ item_id: 'a', popularity: 1, views: 1, carts: 0, purchases: 0, popularity_1d: 0, popularity_7d: 0 }] : [];
    },
  } as unknown as ProfileStore;
  return { store, full };
}

describe('ItemSignals pacing', () => {
  it(`does not start a computation again before ${PACE} times the last one's duration has passed, nor before the TTL`, async () => {
    const time = { t: Date.UTC(2026, 11, 1) };
    const clock: Clock = { now: () => new Date(time.t) };
    // Five statements of 10 s each: a 50 s computation, so the next may start 200 s after it ended (TTL 30 s).
    const { store, full } = slowStore(time, 10_000);
    const signals = new ItemSignals(store, clock, { halfLifeDays: 30, ttlMs: 30_000, maxItems: 10, neighbours: 5, pairBudget: 1000 });
    const first = await signals.get({ websiteId: WEBSITE, knownVersion: '' });
    expect(first.items.map((i) => i.itemId)).toEqual(['a']);
    expect(full()).toHaveLength(5);

    time.t += 199_999;
    await signals.get({ websiteId: WEBSITE, knownVersion: first.version });
    expect(full()).toHaveLength(5); // past the TTL, but not yet 4 × 50 s: nothing started

    time.t += 1;
    const answer = await signals.get({ websiteId: WEBSITE, knownVersion: first.version });
    expect(answer).toMatchObject({ unchanged: true }); // answered from what there is at once...
    expect(full().length).toBeGreaterThan(5); // ...while the next computation has started
  });

  it('a fast computation is repeated after the TTL alone', async () => {
    const time = { t: Date.UTC(2026, 11, 1) };
    const { store, full } = slowStore(time, 1);
    const signals = new ItemSignals(store, { now: () => new Date(time.t) }, { halfLifeDays: 30, ttlMs: 30_000, maxItems: 10, neighbours: 5, pairBudget: 1000 });
    await signals.get({ websiteId: WEBSITE, knownVersion: '' });
    time.t += 29_999; // the TTL counts from when the computation ended
    await signals.get({ websiteId: WEBSITE, knownVersion: '' });
    expect(full()).toHaveLength(5);
    time.t += 1;
    await signals.get({ websiteId: WEBSITE, knownVersion: '' });
    expect(full().length).toBeGreaterThan(5);
  });
});
