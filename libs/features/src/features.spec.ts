import { assembleFeatureMatrix, columnKindOf, compileFeatureColumns, FEATURES, FEATURES_BY_NAME, featureValuesOf, isCandidateKey, ItemTable, localHourAndDay, plainFeatureValue, plainMatrix, unknownFeatureNames, UnknownFeatureError, type ContextInput, type FeatureInput, type FeatureRowInput } from './index';

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

  it('computes the behaviour features from the interaction log\'s decayed counts, and their defaults without them', () => {
    const names = [
      'item.behaviour_popularity',
      'item.behaviour_views',
      'item.behaviour_carts',
      'item.behaviour_purchases',
      'item.view_to_cart_rate',
      'item.cart_to_purchase_rate',
      'item.behaviour_trending',
    ];
    const withBehaviour = row();
    withBehaviour.item = { ...withBehaviour.item, behaviour: { popularity: 9, views: 10, carts: 2, purchases: 1, popularity1d: 3, popularity7d: 12, popularityShare: 0.5 } };
    const m = assembleFeatureMatrix(names, [withBehaviour, row()]);
    // ln(1 + 9); (2 + 0.05·5) / (10 + 5) = 0.15; (1 + 0.3·5) / (2 + 5) = 2.5 / 7; 3 / 12.
    expect(Array.from(m.slice(0, 7))).toEqual([Math.log(10), 10, 2, 1, 0.15, 2.5 / 7, 0.25].map(Math.fround));
    expect(Array.from(m.slice(7))).toEqual([0, 0, 0, 0, 0.05, 0.3, 0].map(Math.fround));
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

  it('recomputes shared columns when the user changes within a matrix', () => {
    const columns = compileFeatureColumns(['user.session_count', 'item.price']);
    const item = { inCatalog: true, price: 10 };
    const m = assembleFeatureMatrix(columns, [
      row({ user: { sessionCount: 1 }, item }),
      row({ user: { sessionCount: 7 }, item }),
    ]);
    expect(Array.from(m)).toEqual([1, 10, 7, 10]);
  });

  it('computes item.* values once per item table and slot; a new table (a rebuilt snapshot) computes them again', () => {
    const columns = compileFeatureColumns(['item.price', 'candidate.rel']);
    const table = new ItemTable(600);
    // Slots on both sides of a page boundary (256 slots per page).
    const items = [0, 255, 256, 599].map((slot) => ({ inCatalog: true, table, slot, price: slot + 1 }));
    const first = Array.from(columns.assemble(items.map((item) => row({ item }))));
    expect(first).toEqual([1, 0, 256, 0, 257, 0, 600, 0]);
    // Catalog items never change within a snapshot: a changed object still gives its cached value …
    for (const item of items) item.price = 1;
    expect(Array.from(columns.assemble(items.map((item) => row({ item }))))).toEqual(first);
    // … and the next snapshot's table its own.
    const next = new ItemTable(600);
    expect(Array.from(columns.assemble(items.map((item) => row({ item: { ...item, table: next } }))))).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    // Without a table, or with a slot outside it, values are computed for every row.
    const loose = [{ inCatalog: true, price: 3 }, { inCatalog: true, table, slot: 600, price: 4 }, { inCatalog: true, table, slot: -1, price: 5 }, { inCatalog: true, table, slot: 1.5, price: 7 }];
    expect(Array.from(columns.assemble(loose.map((item) => row({ item }))))).toEqual([3, 0, 4, 0, 5, 0, 7, 0]);
    loose[0]!.price = 6;
    expect(columns.assemble([row({ item: loose[0]! })])[0]).toBe(6);
  });

  it('an item table has a whole, non-negative size', () => {
    expect(() => new ItemTable(-1)).toThrow(RangeError);
    expect(() => new ItemTable(1.5)).toThrow(/whole number/);
  });

  it('the compiled assembler gives, cell for cell, what each feature definition computes (random rows and request times, shuffled names)', () => {
    const { rnd, users, items, contextAt } = randomInputs(42);
    const rowsAt = (t: Date): FeatureRowInput[] => {
      const contexts = [contextAt(t, 0), contextAt(t, 1)];
      return Array.from({ length: 60 }, (_, r) => ({
        itemId: `sku-${r % 7}`,
        user: users[Math.floor(r / 30)],
        item: items[r % items.length]!,
        context: contexts[Math.floor(r / 20) % 2]!,
        pair: rnd() < 0.3 ? undefined : { coVisitation: rnd() * 5, coVisitationShare: rnd(), nextItem: rnd() < 0.5 ? 1 : 0 },
        candidate: rnd() < 0.3 ? undefined : { rel: [0.5, 2, Number.POSITIVE_INFINITY][Math.floor(rnd() * 3)]! },
      }));
    };
    const names = [...FEATURES.map((f) => f.name), 'candidate.rel', 'candidate.absent'].sort(() => rnd() - 0.5);
    const compiled = compileFeatureColumns(names);
    // Requests at different times with the same catalog items: what the assembler caches per item must not
    // carry one request's time into the next (item.age_days reads the request time).
    for (const t of [time, new Date(time.getTime() + 3 * 86_400_000), new Date(time.getTime() + 40 * 86_400_000), time]) {
      const rows = rowsAt(t);
      const expected = Array.from(plainMatrix(names, rows));
      expect(Array.from(compiled.assemble(rows))).toEqual(expected);
      expect(Array.from(compiled.assemble(rows, compiled.borrow(rows.length)))).toEqual(expected);
    }
  });

  it('each definition declares every input it reads: changing any other input never changes its value', () => {
    const { users, items, contextAt } = randomInputs(7);
    const base: FeatureRowInput[] = items.map((item, i) => ({
      itemId: `sku-${i}`,
      user: users[1],
      item,
      context: contextAt(time, i % 2),
      pair: { coVisitation: i, coVisitationShare: i / 10, nextItem: i % 2 },
      candidate: { rel: i },
    }));
    // Each input replaced by another value of its kind (a different user, item, request time and page, pair, candidate).
    const change: Record<FeatureInput, (r: FeatureRowInput, i: number) => FeatureRowInput> = {
      user: (r) => ({ ...r, user: { ...users[1], sessionCount: 99, firstVisit: new Date(time.getTime() - 5e9), lastVisit: new Date(time.getTime() - 2e8), favoriteCategories: ['c3'], favoriteProducts: [r.itemId], priceSensitivity: 'low', totalPurchases: 1, totalRevenue: 7, lifecycleStage: 'churned', funnelPosition: 'decision', devicePreference: 'tablet', preferredBrands: ['b2'] } }),
      item: (r, i) => ({ ...r, itemId: `other-${i}`, item: items[(i + 5) % items.length]! }),
      context: (r, i) => ({ ...r, context: { ...contextAt(new Date(time.getTime() + 17 * 3_600_000 + 31 * 86_400_000), (i + 1) % 2), cartSize: 9, recentCount: 4, itemId: 'page', itemCategory: 'c3', itemBrand: 'b2' } }),
      pair: (r) => ({ ...r, pair: { coVisitation: 42, coVisitationShare: 0.42, nextItem: 1 - (r.pair?.nextItem ?? 0) } }),
      candidate: (r) => ({ ...r, candidate: { rel: 1234 } }),
    };
    const undeclaredReads: string[] = [];
    for (const def of FEATURES) {
      for (const input of Object.keys(change) as FeatureInput[]) {
        if (def.inputs.includes(input)) continue;
        if (base.some((r, i) => plainFeatureValue(def.name, r) !== plainFeatureValue(def.name, change[input](r, i)))) undeclaredReads.push(`${def.name} reads ${input}`);
      }
    }
    expect(undeclaredReads).toEqual([]);
    // And the declarations decide the serving cache: item.age_days reads the request time, so it is not cached per item.
    expect(columnKindOf(FEATURES_BY_NAME.get('item.age_days')!.inputs)).toBe('row');
    expect(columnKindOf(FEATURES_BY_NAME.get('item.price')!.inputs)).toBe('item');
    expect(columnKindOf(FEATURES_BY_NAME.get('user.days_since_last_visit')!.inputs)).toBe('shared');
  });

  it('lends a released matrix of the same size again, and never one of another size', () => {
    const compiled = compileFeatureColumns(['item.price', 'candidate.rel']);
    const a = compiled.borrow(3);
    expect(compiled.borrow(3)).not.toBe(a);
    compiled.giveBack(a);
    expect(compiled.borrow(4).length).toBe(8);
    expect(compiled.borrow(3)).toBe(a);
    expect(() => compiled.assemble([row()], a)).toThrow(RangeError);
    // Empty matrices (answers without candidates) never take a place in the free list.
    compiled.giveBack(a);
    for (let i = 0; i < 5; i++) compiled.giveBack(new Float32Array(0));
    expect(compiled.borrow(3)).toBe(a);
  });

  it('isCandidateKey accepts exactly what candidate.<key> accepts', () => {
    const keys = ['relevance', 'A_9', '_', 'x'.repeat(64), 'x'.repeat(65), '', 'a-b', 'a.b', 'é', 'a b', '9', 'Z', '`', '@', '[', '{', '/', ':'];
    for (const k of keys) expect([k, isCandidateKey(k)]).toEqual([k, /^[A-Za-z0-9_]{1,64}$/.test(k)]);
    for (let c = 0; c < 256; c++) expect([c, isCandidateKey(String.fromCharCode(c))]).toEqual([c, /^[A-Za-z0-9_]$/.test(String.fromCharCode(c))]);
  });
});

/** Random users, catalog items (some in an item table, slots over several cache pages) and contexts, from a seed. */
function randomInputs(seedValue: number) {
  let seed = seedValue;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const maybe = <T,>(v: T) => (rnd() < 0.3 ? undefined : v);
  const stats = () => maybe({ shown: Math.floor(rnd() * 100), clicks: Math.floor(rnd() * 10), conversions: Math.floor(rnd() * 3) });
  const users = [
    undefined,
    { sessionCount: 3, totalPurchases: 2, totalRevenue: 80, priceSensitivity: 'high' as const, favoriteCategories: ['c1', 'c2'], preferredBrands: ['b1'], favoriteProducts: ['sku-3'], lifecycleStage: 'active' as const, firstVisit: new Date(time.getTime() - 9e8), lastVisit: new Date(time.getTime() - 4e7) },
  ];
  const table = new ItemTable(12 * 100);
  const items = Array.from({ length: 12 }, (_, i) => ({
    inCatalog: i % 4 !== 0,
    ...(i % 4 !== 0 && i % 3 !== 0 ? { table, slot: i * 100 } : {}),
    category: maybe(pick(['c1', 'c2', 'c3'])),
    brand: maybe(pick(['b1', 'b2'])),
    price: maybe(pick([5, 40, 120, Number.NaN])),
    tags: maybe(['x']),
    publishedAtMs: maybe(time.getTime() - rnd() * 1e10),
    behaviour: maybe({ popularity: rnd() * 20, views: rnd() * 10, carts: rnd() * 3, purchases: rnd(), popularity1d: rnd() * 2, popularity7d: 2 + rnd() * 8, popularityShare: rnd() }),
    stats1d: stats(),
    stats7d: stats(),
    stats30d: stats(),
  }));
  const contextAt = (t: Date, k: number): ContextInput =>
    k === 0 ? { time: t, device: 'mobile', pageType: 'product', itemCategory: 'c2', itemBrand: 'b1', cartSize: 2 } : { time: t, timeZone: 'Asia/Tokyo', category: 'c1' };
  return { rnd, users, items, contextAt };
}
