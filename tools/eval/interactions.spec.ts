import { parseInteractions, syntheticShop, timeSplit } from './interactions';

describe('evaluation data', () => {
  it('parses a CSV with ISO or Unix-second timestamps and an optional kind', () => {
    const rows = parseInteractions('user_id,item_id,timestamp,kind\nu1,a,2026-11-01T10:00:00Z,purchase\nu2,b,1796000000,\n');
    expect(rows).toEqual([
      { userId: 'u1', itemId: 'a', at: new Date('2026-11-01T10:00:00Z'), kind: 'purchase' },
      { userId: 'u2', itemId: 'b', at: new Date(1796000000 * 1000), kind: 'product_view' },
    ]);
    expect(() => parseInteractions('user,item\nx,y')).toThrow(/user_id, item_id and timestamp/);
  });

  it('splits by time: what each user did later and had not touched before is held out', () => {
    const t = (h: number) => new Date(Date.UTC(2026, 0, 1, h));
    const rows = [
      { userId: 'u', itemId: 'a', at: t(0), kind: 'product_view' as const },
      { userId: 'u', itemId: 'b', at: t(1), kind: 'product_view' as const },
      { userId: 'v', itemId: 'a', at: t(2), kind: 'product_view' as const },
      { userId: 'u', itemId: 'a', at: t(3), kind: 'product_view' as const }, // seen before: not relevant
      { userId: 'u', itemId: 'c', at: t(4), kind: 'product_view' as const },
      { userId: 'w', itemId: 'c', at: t(4), kind: 'product_view' as const }, // no history: not scored
    ];
    const split = timeSplit(rows, 0.5); // the cut is the 4th interaction's time, t(3)
    expect(split.cut).toEqual(t(3));
    expect(split.history.map((x) => `${x.userId}${x.itemId}`)).toEqual(['ua', 'ub', 'va']);
    expect([...split.later]).toEqual([['u', new Set(['c'])]]);
  });

  it('makes the same synthetic shop from the same seed', () => {
    const a = syntheticShop({ users: 5, clusters: 2, perCluster: 5, seed: 3 });
    expect(syntheticShop({ users: 5, clusters: 2, perCluster: 5, seed: 3 })).toEqual(a);
    expect(a.every((x) => /^item-[01]-[0-4]$/.test(x.itemId))).toBe(true);
  });

  it('with drift, a user\'s later sessions move to other groups; without, every session stays in the home group', () => {
    // All of a user's items from the home group (inGroup 1): the group of the first and the last interaction.
    const moved = (drift: number) => {
      const byUser = new Map<string, { at: number; group: string }[]>();
      for (const x of syntheticShop({ users: 200, clusters: 20, perCluster: 5, seed: 11, inGroup: 1, drift })) {
        (byUser.get(x.userId) ?? byUser.set(x.userId, []).get(x.userId)!).push({ at: x.at.getTime(), group: x.itemId.split('-')[1]! });
      }
      let n = 0;
      for (const xs of byUser.values()) {
        xs.sort((a, b) => a.at - b.at);
        if (xs[0]!.group !== xs[xs.length - 1]!.group) n++;
      }
      return n / byUser.size;
    };
    expect(moved(0)).toBe(0);
    // Every later session draws a new group (1 in 20 the same one): nearly every user ends elsewhere.
    expect(moved(1)).toBeGreaterThan(0.85);
    expect(syntheticShop({ users: 5, clusters: 2, perCluster: 5, seed: 3, drift: 0 })).toEqual(syntheticShop({ users: 5, clusters: 2, perCluster: 5, seed: 3 }));
  });
});
