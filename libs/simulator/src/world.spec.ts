import { seededRandom } from '@recsys/onnx';
import { affinity, drawItem, makeWorld, type SimItem, type SimUser } from './world';

const user: SimUser = {
  userId: 'u',
  device: 'mobile',
  categories: new Map([
    ['hats', 0.7],
    ['shoes', 0.3],
  ]),
  brand: 'acme',
  priceBand: [10, 50],
  sessionsPerWeek: 1,
};
const item = (itemId: string, category: string, brand: string, price: number, appeal: number): SimItem => ({ itemId, category, brand, price, appeal });

describe('simulated world', () => {
  it('is the same from the same seed, and another from another', () => {
    const a = makeWorld({ seed: 3, items: 50, users: 20 });
    expect(makeWorld({ seed: 3, items: 50, users: 20 })).toEqual(a);
    expect(makeWorld({ seed: 4, items: 50, users: 20 })).not.toEqual(a);
    expect(a.items).toHaveLength(50);
    expect(a.users.every((u) => [...u.categories.values()].reduce((s, w) => s + w, 0) > 0.999)).toBe(true);
  });

  it('affinity: category weight × brand (1, else 0.6) × price fit (1, else 0.5) × (0.3 + 0.7 appeal)', () => {
    expect(affinity(user, item('a', 'hats', 'acme', 20, 1))).toBeCloseTo(0.7, 12);
    // Other brand, price outside the band, half appeal: 0.3 × 0.6 × 0.5 × 0.65.
    expect(affinity(user, item('b', 'shoes', 'other', 80, 0.5))).toBeCloseTo(0.3 * 0.6 * 0.5 * 0.65, 12);
    // A category the visitor does not favour keeps 5 %.
    expect(affinity(user, item('c', 'bags', 'acme', 20, 1))).toBeCloseTo(0.05, 12);
  });

  it('draws items in proportion to affinity, never an excluded one', () => {
    const items = [item('hat', 'hats', 'acme', 20, 1), item('shoe', 'shoes', 'acme', 20, 1), item('bag', 'bags', 'acme', 20, 1)];
    const rnd = seededRandom(1);
    const counts: Record<string, number> = { hat: 0, shoe: 0, bag: 0 };
    for (let i = 0; i < 20_000; i++) counts[drawItem(rnd, user, items).itemId]!++;
    // Affinities 0.7 : 0.3 : 0.05 of a total 1.05.
    expect(counts.hat! / 20_000).toBeCloseTo(0.7 / 1.05, 1);
    expect(counts.bag! / 20_000).toBeCloseTo(0.05 / 1.05, 1);
    for (let i = 0; i < 100; i++) expect(drawItem(rnd, user, items, new Set(['hat'])).itemId).not.toBe('hat');
  });
});
