import { seededRandom } from '@recsys/onnx';
import { BehaviourState, strongest, type Interaction } from './behaviour-state';

const DAY = 86_400_000;

describe('BehaviourState', () => {
  it('strongest: the k best by the same order a full sort gives (weight, then id)', () => {
    const rnd = seededRandom(3);
    const m = new Map<string, number>();
    for (let n = 0; n < 500; n++) m.set(`i${n}`, Math.floor(rnd() * 40) + 1); // many ties
    const sorted = [...m].map(([itemId, weight]) => ({ itemId, weight })).sort((a, b) => b.weight - a.weight || (a.itemId < b.itemId ? -1 : 1));
    expect(strongest(m, 1000)).toEqual(sorted);
    expect(strongest(m, 5)).toEqual(sorted.slice(0, 5));
  });

  it('neighbours: co-visited plus bought together (order, else session), each pair weighing the decay of its later interaction', () => {
    const state = new BehaviourState(30, 0);
    const buy = (userId: string, itemId: string, at: number, orderId?: string): Interaction => ({ userId, sessionId: `s-${userId}`, itemId, at, kind: 'purchase', orderId });
    // u1 buys a and b in order o1 on day 0; u2 buys a and c on day 30 without an order id (their session is the basket).
    for (const x of [buy('u1', 'a', 0, 'o1'), buy('u1', 'b', 0, 'o1'), buy('u2', 'a', 30 * DAY), buy('u2', 'c', 30 * DAY)]) state.observe(x);
    // On day 30: a–b co-visited 0.5 (one half-life) + bought together 0.5; a–c 1 + 1.
    expect(Object.fromEntries(state.neighbours('a', 30 * DAY))).toEqual({ b: 1, c: 2 });
    // Day 60: everything halves again.
    expect(Object.fromEntries(state.neighbours('a', 60 * DAY))).toEqual({ b: 0.5, c: 1 });
  });

  it('a basket of more than 50 items is not bought together', () => {
    const state = new BehaviourState(30, 0);
    // 50 lines of one order, each bought by a different visitor: no co-visitation, only bought together.
    for (let n = 0; n < 50; n++) state.observe({ userId: `u${n}`, sessionId: `s${n}`, itemId: `i${String(n).padStart(2, '0')}`, at: n, kind: 'purchase', orderId: 'bulk' });
    expect(state.neighbours('i00', 50).size).toBe(10); // 49 partners, BOUGHT_TOGETHER_PER_ITEM of them
    state.observe({ userId: 'u50', sessionId: 's50', itemId: 'i50', at: 50, kind: 'purchase', orderId: 'bulk' });
    expect(state.neighbours('i00', 51).size).toBe(0);
  });

  it('favourites and preferred brands as the profile ranks them: FAVOURITE_WEIGHTS summed, then the most recent', () => {
    const state = new BehaviourState(30, 0);
    const x = (itemId: string, at: number, kind: Interaction['kind'], brand: string, category: string): Interaction => ({ userId: 'u', sessionId: 's', itemId, at, kind, brand, category });
    // Acme: two views (1 + 1); Globex: one cart (3); Initech: one view, the latest (1).
    for (const e of [x('a', 1, 'product_view', 'Acme', 'c1'), x('b', 2, 'add_to_cart', 'Globex', 'c2'), x('c', 3, 'product_view', 'Acme', 'c1'), x('d', 4, 'product_view', 'Initech', 'c3')]) state.observe(e);
    expect(state.userInput('u')).toEqual({
      favoriteProducts: ['b', 'd', 'c', 'a'],
      favoriteCategories: ['c2', 'c1', 'c3'], // c2 3, c1 1 + 1, c3 1
      preferredBrands: ['Globex', 'Acme', 'Initech'],
    });
  });

  it('day and week popularity follow the reading time forward', () => {
    const state = new BehaviourState(30, 0);
    const view = (at: number): Interaction => ({ userId: 'u', sessionId: 's', itemId: 'a', at, kind: 'product_view' });
    state.observe(view(0));
    state.observe(view(5 * DAY));
    state.observe({ ...view(5 * DAY + 1), kind: 'purchase' });
    expect(state.behaviourAt('a', 5 * DAY + 2)).toMatchObject({ popularity1d: 6, popularity7d: 7 });
    expect(state.behaviourAt('a', 6.5 * DAY)).toMatchObject({ popularity1d: 0, popularity7d: 7 });
    expect(state.behaviourAt('a', 7.5 * DAY)).toMatchObject({ popularity1d: 0, popularity7d: 6 }); // the first view is 7.5 days old
    expect(state.behaviourAt('a', 13 * DAY)).toMatchObject({ popularity1d: 0, popularity7d: 0 });
  });
});
