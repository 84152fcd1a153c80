import { assembleFeatureMatrix, compileFeatureColumns, FEATURES, featureValuesOf, localHourAndDay, unknownFeatureNames, UnknownFeatureError, type FeatureRowInput } from './index';

const time = new Date('2026-11-25T20:30:00Z'); // a Wednesday

const row = (over: Partial<FeatureRowInput> = {}): FeatureRowInput => ({
  itemId: 'sku-1',
  item: { inCatalog: true, category: 'shoes', brand: 'acme', price: 50, stats30d: { shown: 100, clicks: 10, conversions: 2 } },
  context: { time },
  ...over,
});

describe('feature vocabulary', () => {
  it('has unique names, each user./item./match./context. prefixed', () => {
    const names = FEATURES.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^(user|item|match|context)\.[a-z0-9_]+$/);
  });

  it('unknownFeatureNames names exactly the unknown ones, accepting well-formed candidate.<key>', () => {
    expect(unknownFeatureNames(['item.price', 'candidate.search_score', 'user.shoe_size', 'candidate.', 'candidate.a-b', 'context.hour_of_day'])).toEqual([
      'user.shoe_size',
      'candidate.',
      'candidate.a-b',
    ]);
  });

  it('assembles columns in the order the names are given, not a fixed order', () => {
    const a = assembleFeatureMatrix(['item.price', 'match.category_favorite', 'candidate.rel'], [
      row({ user: { favoriteCategories: ['shoes'] }, candidate: { rel: 0.25 } }),
    ]);
    const b = assembleFeatureMatrix(['candidate.rel', 'item.price', 'match.category_favorite'], [
      row({ user: { favoriteCategories: ['shoes'] }, candidate: { rel: 0.25 } }),
    ]);
    expect(Array.from(a)).toEqual([50, 1, 0.25]);
    expect(Array.from(b)).toEqual([0.25, 50, 1]);
  });

  it('fills documented defaults for missing inputs and never emits NaN or Infinity', () => {
    const names = FEATURES.map((f) => f.name).concat('candidate.missing');
    const hostile = row({
      item: { inCatalog: false, price: Number.NaN, stats30d: { shown: 0, clicks: 0, conversions: 0 } },
      user: { totalRevenue: Number.POSITIVE_INFINITY, totalPurchases: 0, sessionCount: Number.NaN },
      candidate: { missing: Number.NaN },
    });
    const m = assembleFeatureMatrix(names, [hostile, row({ item: { inCatalog: false } })]);
    expect(m.length).toBe(names.length * 2);
    for (const v of m) expect(Number.isFinite(v)).toBe(true);
    const values = featureValuesOf(names, m, 1);
    expect(values['item.ctr_30d']).toBeCloseTo(0.02);
    expect(values['match.price_vs_user_aov']).toBe(1);
    expect(values['user.known']).toBe(0);
    expect(values['candidate.missing']).toBe(0);
  });

  it('computes match and item features from profile, item and context', () => {
    const names = ['match.price_vs_user_aov', 'match.brand_preferred', 'item.ctr_30d', 'user.lifecycle_active', 'context.device_mobile', 'context.page_product'];
    const m = assembleFeatureMatrix(names, [
      row({
        user: { totalRevenue: 200, totalPurchases: 4, preferredBrands: ['acme'], lifecycleStage: 'active' },
        context: { time, device: 'mobile', pageType: 'product' },
      }),
    ]);
    expect(m[0]).toBeCloseTo(1); // 50 / (200/4)
    expect(m[1]).toBe(1);
    expect(m[2]).toBeCloseTo((10 + 0.02 * 20) / (100 + 20));
    expect(Array.from(m.slice(3))).toEqual([1, 1, 1]);
  });

  it('computes hour and weekday in the request time zone', () => {
    const names = ['context.hour_of_day', 'context.day_of_week'];
    expect(Array.from(assembleFeatureMatrix(names, [row()]))).toEqual([20, 2]);
    expect(Array.from(assembleFeatureMatrix(names, [row({ context: { time, timeZone: 'Asia/Tokyo' } })]))).toEqual([5, 3]);
  });

  it('local hour and weekday stay right across minute and day boundaries in half- and quarter-hour zones (memoised per UTC minute)', () => {
    const at = (iso: string, zone: string) => localHourAndDay(new Date(iso), zone);
    expect(at('2026-11-25T18:29:00.000Z', 'Asia/Kolkata')).toEqual({ hour: 23, day: 2 });
    expect(at('2026-11-25T18:29:59.999Z', 'Asia/Kolkata')).toEqual({ hour: 23, day: 2 });
    expect(at('2026-11-25T18:30:00.000Z', 'Asia/Kolkata')).toEqual({ hour: 0, day: 3 });
    expect(at('2026-11-25T18:14:59.999Z', 'Asia/Kathmandu')).toEqual({ hour: 23, day: 2 });
    expect(at('2026-11-25T18:15:00.000Z', 'Asia/Kathmandu')).toEqual({ hour: 0, day: 3 });
    expect(at('2026-11-25T18:29:30.000Z', 'Asia/Kolkata')).toEqual({ hour: 23, day: 2 });
    // Before 1980 some zones had offsets in seconds (Liberia until 1972): not memoised, computed exactly.
    expect(at('1971-06-01T00:44:29.000Z', 'Africa/Monrovia')).toEqual({ hour: 23, day: 0 });
    expect(at('1971-06-01T00:44:31.000Z', 'Africa/Monrovia')).toEqual({ hour: 0, day: 1 });
  });

  it('rejects unknown names at assembly, naming them all', () => {
    expect(() => assembleFeatureMatrix(['item.price', 'item.colour', 'user.age'], [row()])).toThrow(new UnknownFeatureError(['item.colour', 'user.age']));
  });

  it('recomputes shared columns when the user changes within a matrix, and item columns for a new item object', () => {
    const columns = compileFeatureColumns(['user.session_count', 'item.price']);
    const item = { inCatalog: true, price: 10 };
    const m = assembleFeatureMatrix(columns, [
      row({ user: { sessionCount: 1 }, item }),
      row({ user: { sessionCount: 7 }, item }),
    ]);
    expect(Array.from(m)).toEqual([1, 10, 7, 10]);
    // A rebuilt catalog snapshot gives a new item object: its new price is used, not the cached one.
    expect(Array.from(assembleFeatureMatrix(columns, [row({ item: { inCatalog: true, price: 12 } })]))).toEqual([0, 12]);
  });
});
