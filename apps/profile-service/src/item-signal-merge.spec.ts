import { ItemSignal } from '@recsys/contracts/profile';
import { eventLoopTurnsDuring } from '@recsys/service-kit/testing';
import { mergeDelta, type SignalRows } from './item-signal-merge';

const signal = (itemId: string, fields: Partial<ItemSignal> = {}): ItemSignal => ItemSignal.fromPartial({ itemId, ...fields });
const noDelta: SignalRows = { popularity: [], coVisitation: [], nextItems: [], boughtTogether: [], segments: [] };
const limits = { maxItems: 3, neighbours: 2, nextItems: 2, boughtTogether: 2 };

describe('mergeDelta', () => {
  const base = [
    signal('a', {
      popularity: 8,
      views: 4,
      carts: 1,
      purchases: 0.2,
      popularity1d: 3,
      popularity7d: 6,
      coVisited: [
        { itemId: 'b', weight: 2 },
        { itemId: 'c', weight: 1 },
      ],
      segmentPopularity: { 'device:mobile': 4 },
    }),
    signal('b', { popularity: 4, views: 4, popularity7d: 1 }),
  ];

  it('decays every value of the full computation by the factor and leaves trending (undecayed) as it was', async () => {
    const [a, b] = await mergeDelta(base, 0.5, noDelta, limits);
    expect(a).toEqual(
      signal('a', {
        popularity: 4,
        views: 2,
        carts: 0.5,
        purchases: 0.1,
        popularity1d: 3,
        popularity7d: 6,
        coVisited: [
          { itemId: 'b', weight: 1 },
          { itemId: 'c', weight: 0.5 },
        ],
        segmentPopularity: { 'device:mobile': 2 },
      }),
    );
    expect(b).toEqual(signal('b', { popularity: 2, views: 2, popularity7d: 1 }));
    expect(base[0]!.popularity).toBe(8); // the full computation is kept as it was, for the next delta
  });

  it('adds the delta: sums, neighbours re-ranked and cut, trending windows moved and clamped, new items joined and the list re-cut', async () => {
    const delta: SignalRows = {
      popularity: [
        // a: a cart now (3) and, from the 1d window, a view (1) that left it: 1d 3 + 3 - 1 = 5, 7d 6 + 3 = 9.
        { item_id: 'a', popularity: 3, views: 0, carts: 1, purchases: 0, popularity_1d: 2, popularity_7d: 3 },
        // b: only a loss from the 7d window larger than what it held (a late event): clamped at 1d = 0.
        { item_id: 'b', popularity: 0, views: 0, carts: 0, purchases: 0, popularity_1d: 0, popularity_7d: -5 },
        // d and e are new; e (popularity 0: a window loss only) does not join.
        { item_id: 'd', popularity: 5, views: 0, carts: 0, purchases: 1, popularity_1d: 5, popularity_7d: 5 },
        { item_id: 'e', popularity: 0, views: 0, carts: 0, purchases: 0, popularity_1d: -1, popularity_7d: -1 },
        { item_id: 'f', popularity: 0.5, views: 1, carts: 0, purchases: 0, popularity_1d: 0.5, popularity_7d: 0.5 },
      ],
      // a's neighbours: b 1 (2 × 0.5), c 0.5 + 0.25 = 0.75, d 0.9: b, d kept (limit 2), c cut.
      coVisitation: [
        { item: 'a', neighbour: 'c', weight: 0.25 },
        { item: 'a', neighbour: 'd', weight: 0.9 },
        { item: 'd', neighbour: 'a', weight: 0.9 },
      ],
      nextItems: [{ item: 'd', neighbour: 'a', weight: 1 }],
      boughtTogether: [{ item: 'b', neighbour: 'd', weight: 1 }],
      segments: [
        { segment: 'device:mobile', item_id: 'a', p: 3 },
        { segment: 'device:desktop', item_id: 'a', p: 1 },
      ],
    };
    const merged = await mergeDelta(base, 0.5, delta, limits);
    // Popularity: a 4 + 3 = 7, d 5, b 2, f 0.5: the three most popular (maxItems 3).
    expect(merged.map((i) => [i.itemId, i.popularity])).toEqual([
      ['a', 7],
      ['d', 5],
      ['b', 2],
    ]);
    const [a, d, b] = merged;
    expect(a).toMatchObject({ carts: 1.5, popularity1d: 5, popularity7d: 9, segmentPopularity: { 'device:mobile': 5, 'device:desktop': 1 } });
    expect(a!.coVisited).toEqual([
      { itemId: 'b', weight: 1 },
      { itemId: 'd', weight: 0.9 },
    ]);
    expect(d).toEqual(
      signal('d', {
        popularity: 5,
        purchases: 1,
        popularity1d: 5,
        popularity7d: 5,
        coVisited: [{ itemId: 'a', weight: 0.9 }],
        nextItems: [{ itemId: 'a', weight: 1 }],
      }),
    );
    expect(b).toMatchObject({ popularity1d: 0, popularity7d: 0, boughtTogether: [{ itemId: 'd', weight: 1 }] });
  });

  it('orders equal popularity and equal neighbour weights by id', async () => {
    const tied = [signal('y', { popularity: 1, coVisited: [{ itemId: 'q', weight: 1 }] }), signal('x', { popularity: 1 })];
    const delta: SignalRows = { ...noDelta, coVisitation: [{ item: 'y', neighbour: 'p', weight: 1 }] };
    const merged = await mergeDelta(tied, 1, delta, limits);
    expect(merged.map((i) => i.itemId)).toEqual(['x', 'y']);
    expect(merged[1]!.coVisited.map((n) => n.itemId)).toEqual(['p', 'q']);
  });

  it('a large answer: merged in steps, with the event loop let through meanwhile, every item as worked out', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) => signal(`item-${i}`, { popularity: 5_000 - i, coVisited: [{ itemId: 'x', weight: 1 }] }));
    const delta: SignalRows = { ...noDelta, popularity: [{ item_id: 'item-4999', popularity: 10_000, views: 1, carts: 0, purchases: 0, popularity_1d: 1, popularity_7d: 1 }] };
    const { value: merged, turns } = await eventLoopTurnsDuring(() => mergeDelta(many, 0.5, delta, { ...limits, maxItems: 5_000 }));
    expect(turns).toBeGreaterThan(1);
    // item-4999: 1 × 0.5 + 10,000 first; then item-i at (5,000 − i) × 0.5, in order; every neighbour weight halved.
    expect(merged[0]).toMatchObject({ itemId: 'item-4999', popularity: 0.5 + 10_000 });
    expect(merged.slice(1).map((m) => [m.itemId, m.popularity])).toEqual(Array.from({ length: 4_999 }, (_, i) => [`item-${i}`, (5_000 - i) * 0.5]));
    expect(merged.every((m) => m.coVisited.length === 1 && m.coVisited[0]!.weight === 0.5)).toBe(true);
  });
});
