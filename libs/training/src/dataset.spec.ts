import { type CatalogItem, type Interaction } from './behaviour-state';
import { buildDataset, TRAINED_FEATURES } from './dataset';
import type { LoggedAnswer } from './logged-answers';

const DAY = 86_400_000;
const MIN = 60_000;
const t0 = Date.UTC(2026, 9, 1);
const catalog = new Map<string, CatalogItem>([
  ['A', { itemId: 'A', category: 'x', brand: 'b1', price: 10 }],
  ['B', { itemId: 'B', category: 'x', brand: 'b2' }],
  ['C', { itemId: 'C', category: 'y', brand: 'b1' }],
  ['D', { itemId: 'D', category: 'y', brand: 'b1' }],
]);
const x = (userId: string, sessionId: string, at: number, itemId: string, kind: Interaction['kind'] = 'product_view'): Interaction => ({ userId, sessionId, at, itemId, kind, category: catalog.get(itemId)!.category });

// Events name their item's category, as a shop's tracking does. u1 views A and B; u2 views and buys A; u1 comes back, views C and carts D; u3 views C, then comes back and views D.
const log: Interaction[] = [
  x('u1', 's1', t0, 'A'),
  x('u1', 's1', t0 + MIN, 'B'),
  x('u2', 's2', t0 + DAY, 'A'),
  x('u2', 's2', t0 + DAY + MIN, 'A', 'purchase'),
  x('u1', 's3', t0 + 2 * DAY, 'C'),
  x('u1', 's3', t0 + 2 * DAY + MIN, 'D', 'add_to_cart'),
  x('u3', 's5', t0 + 2.5 * DAY, 'C'),
  x('u3', 's6', t0 + 3 * DAY, 'D'),
];

describe('the training dataset', () => {
  const data = buildDataset(log, catalog, { halfLifeDays: 10, validationFrom: t0 + 2.75 * DAY, seed: 1 });
  const col = (name: string) => TRAINED_FEATURES.indexOf(name as (typeof TRAINED_FEATURES)[number]);
  const value = (set: typeof data.train, row: number, name: string) => set.x[row * set.width + col(name)]!;

  it('one group per returning visitor\'s session that touched a proposal; each split by the session\'s start', () => {
    // s1, s2, s5: first visits (no history). s3 (day 2): u1 had seen A and B; nobody had touched C or D, so
    // nothing proposed could be what u1 did: no group. s6 (day 3): validation.
    expect(data.train.groupSizes).toEqual([]);
    expect(data.validation.groupSizes).toEqual([3]);
    expect(data.period).toEqual({ start: new Date(t0), end: new Date(t0 + 3 * DAY) });
  });

  it('s6: u3\'s neighbours first, then the popular items, with the signals as of the session\'s start (hand-worked)', () => {
    // At day 3: D was carted at day 2 + 1 min by u1 right after viewing C, so C–D pair with that cart's decay.
    const d = 0.5 ** ((DAY - MIN) / (10 * DAY));
    expect(data.validation.rowIds.map((id) => id.split('\u0000').pop())).toEqual(['D', 'A', 'B']);
    expect(Array.from(data.validation.labels)).toEqual([1, 0, 0]);
    // A, the most popular: u1's view 3 days earlier, u2's view 2 days earlier and purchase 2 days less 1 min earlier.
    const a = 0.5 ** (3 / 10) + 0.5 ** (2 / 10) + 5 * 0.5 ** ((2 * DAY - MIN) / (10 * DAY));
    expect(value(data.validation, 0, 'item.behaviour_popularity_share')).toBeCloseTo((3 * d) / a, 6);
    // No view of D yet (u3's own view is the label, not a feature): the cart over 5 pseudo-views at 0.05.
    expect(value(data.validation, 0, 'item.view_to_cart_rate')).toBeCloseTo((d + 0.05 * 5) / 5, 6);
    expect(value(data.validation, 0, 'match.co_visitation')).toBeCloseTo(Math.log1p(d), 6);
    expect(value(data.validation, 0, 'match.co_visitation_share')).toBe(1); // D is all u3's seed C reaches
    expect(value(data.validation, 0, 'match.category_favorite')).toBe(1); // u3's favourite category is C's, y
    expect(value(data.validation, 1, 'item.behaviour_popularity_share')).toBe(1);
    expect(value(data.validation, 1, 'item.log_price')).toBeCloseTo(Math.log1p(10), 6);
    expect(value(data.validation, 2, 'item.has_price')).toBe(0);
  });

  it('a logged answer: signals as of its signals time, favourites as of its own time, seeds from its request; labelled by outcomes and the session', () => {
    // u1 is shown [D, A, B] at day 3 on C's page; the signals it was ranked with were computed at day 2.5, before u3
    // viewed D (day 3 less a minute... at 2.5 days C only). u1 clicked A; later in the session u1 carts B.
    const shownAt = t0 + 3 * DAY + 2 * MIN;
    const answer: LoggedAnswer = {
      recommendationId: 'r1',
      userId: 'u1',
      sessionId: 's9',
      shownAt,
      signalsAt: t0 + 2.5 * DAY,
      time: shownAt,
      contextItemId: 'C',
      recentItemIds: [],
      cartItemIds: [],
      items: [
        { itemId: 'D', clicked: false, converted: false },
        { itemId: 'A', clicked: true, converted: false },
        { itemId: 'B', clicked: false, converted: false },
      ],
    };
    const later = [...log, x('u1', 's9', shownAt + MIN, 'B', 'add_to_cart')];
    const withAnswer = buildDataset(later, catalog, { halfLifeDays: 10, validationFrom: t0 + 2.75 * DAY, seed: 1 }, [answer]);
    const set = withAnswer.validation;
    const first = set.rowIds.indexOf('r1\u0000D');
    expect(set.rowIds.slice(first, first + 3)).toEqual(['r1\u0000D', 'r1\u0000A', 'r1\u0000B']);
    expect(Array.from(set.labels).slice(first, first + 3)).toEqual([0, 1, 2]);
    // D at day 2.5: u1's cart (day 2 + 1 min) only; u3's view of D (day 3) is after the signals.
    const cart = 0.5 ** ((0.5 * DAY - MIN) / (10 * DAY));
    // The most popular then, A: u1's view (2.5 days earlier), u2's view (1.5) and purchase (1.5 less 1 min).
    const a = 0.5 ** (2.5 / 10) + 0.5 ** (1.5 / 10) + 5 * 0.5 ** ((1.5 * DAY - MIN) / (10 * DAY));
    expect(value(set, first, 'item.behaviour_popularity_share')).toBeCloseTo((3 * cart) / a, 6);
    expect(value(set, first, 'item.view_to_cart_rate')).toBeCloseTo((cart + 0.05 * 5) / 5, 6);
    // Seeds: the page item C, then u1's favourite products at day 3 (D, C, A, B: all u1's items). At 2.5 days
    // every pair of u1's items weighs the decay of its later interaction; D's partners' later one is D's cart. So D
    // gets the cart's decay from C (the page), from C again (a favourite), from A and from B; D as a seed adds nothing.
    expect(value(set, first, 'match.co_visitation')).toBeCloseTo(Math.log1p(4 * cart), 6);
    // A gets C's view's decay (A–C, later C at day 2) from C twice, D's cart from D, and B's view (day 0 + 1 min) from B:
    // less than D, the strongest the seeds reach, so its share is below 1.
    const c = 0.5 ** (0.5 / 10);
    const b = 0.5 ** ((2.5 * DAY - MIN) / (10 * DAY));
    expect(value(set, first, 'match.co_visitation_share')).toBe(1);
    expect(value(set, first + 1, 'match.co_visitation_share')).toBeCloseTo((2 * c + cart + b) / (4 * cart), 6);
    // u1's favourite categories at day 3: y (C 1 + D 3) at position 0, x (A 1 + B 1) at 1.
    expect(value(set, first, 'match.category_favorite_rank')).toBe(1);
    expect(value(set, first + 1, 'match.category_favorite_rank')).toBe(1 / 2);

    // The same answer served without u1's profile (the lookup timed out: profile_used false in its log): no
    // favourites, so no favourite-category match, and the page item C the only seed: D gets the cart's decay once.
    const blind = buildDataset(later, catalog, { halfLifeDays: 10, validationFrom: t0 + 2.75 * DAY, seed: 1 }, [{ ...answer, profileUsed: false }]).validation;
    const at = blind.rowIds.indexOf('r1\u0000D');
    expect(value(blind, at, 'match.category_favorite')).toBe(0);
    expect(value(blind, at + 1, 'match.category_favorite_rank')).toBe(0);
    expect(value(blind, at, 'match.co_visitation')).toBeCloseTo(Math.log1p(cart), 6);
    expect(value(blind, at, 'item.behaviour_popularity_share')).toBeCloseTo((3 * cart) / a, 6); // item signals as before
  });

  it('refuses an empty log, and a log out of time order', () => {
    expect(() => buildDataset([], catalog, { validationFrom: t0 })).toThrow('the interaction log is empty');
    expect(() => buildDataset([log[1]!, log[0]!], catalog, { validationFrom: t0 })).toThrow('out of order');
  });
});
