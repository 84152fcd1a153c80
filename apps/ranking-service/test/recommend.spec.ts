import { status as Status } from '@grpc/grpc-js';
import { Device, FallbackReason, ItemType, RecommendationType } from '@recsys/contracts/ranking';
import { timeOfUuidV7 } from '@recsys/db';
import { randomUUID } from 'node:crypto';
import { LinearModel, SettableModelProvider } from './support/linear-model';
import { eventually, startHarness, type Harness } from './support/harness';

const provider = new SettableModelProvider();
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ modelProvider: provider, env: { SCORING_TIMEOUT_MS: '100', DEFAULT_MAX_ITEMS_PER_CATEGORY: '100' } });
});
afterAll(() => h?.close());
afterEach(() => {
  provider.model = undefined;
  provider.ready = true;
});

const ids = (res: { items: { itemId: string }[] }) => res.items.map((i) => i.itemId);

describe('Recommend with a model', () => {
  it('returns exactly the model output for the assembled features, ranked by it', async () => {
    const site = await h.newWebsite();
    const prices: Record<string, number> = { a: 10, b: 40, c: 25, d: 5 };
    await h.upsert(site, Object.entries(prices).map(([itemId, p]) => ({ itemId, category: `cat-${itemId}`, price: String(p) })));
    const weights = { 'candidate.relevance': 2, 'item.price': 0.05, 'item.in_catalog': 0.5 };
    const model = new LinearModel('default', 'v7', ['item.price', 'candidate.relevance', 'item.in_catalog'], weights, 0.1);
    provider.model = model;
    const relevance: Record<string, number> = { a: 0.9, b: 0.1, c: 0.5, d: 0.7, x: 0.3 };
    const res = await h.recommend({
      websiteId: site,
      candidates: Object.entries(relevance).map(([itemId, r]) => ({ itemId, features: { relevance: r } })),
      count: 5,
    });
    // Independent expectation: x is not in the catalog (price 0, in_catalog 0).
    const expected = Object.keys(relevance)
      .map((id) => ({ id, score: 0.1 + 2 * relevance[id]! + 0.05 * (prices[id] ?? 0) + 0.5 * (id in prices ? 1 : 0) }))
      .sort((p, q) => q.score - p.score);
    expect(ids(res)).toEqual(expected.map((e) => e.id));
    res.items.forEach((it, i) => {
      expect(it.score).toBeCloseTo(expected[i]!.score, 5);
      expect(it).toMatchObject({ rank: i + 1, strategy: 'model', source: 'caller' });
    });
    expect(res).toMatchObject({ strategy: 'model', fallback: false, fallbackReason: FallbackReason.FALLBACK_REASON_UNSPECIFIED, model: { name: 'default', version: 'v7' } });
  });

  it("assembles columns in the model's declared order, not the request's, and candidate.* values flow through", async () => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'p', price: '12.5' }]);
    const model = new LinearModel('default', 'v1', ['candidate.zeta', 'item.price', 'candidate.alpha', 'candidate.absent'], {});
    provider.model = model;
    await h.recommend({ websiteId: site, candidates: [{ itemId: 'p', features: { alpha: 1.5, zeta: -2, unused: 9 } }], explain: true });
    expect(Array.from(model.calls[0]!.features)).toEqual([-2, 12.5, 1.5, 0]);
    const res = await h.recommend({ websiteId: site, candidates: [{ itemId: 'p', features: { alpha: 1.5, zeta: -2 } }], explain: true });
    expect(res.items[0]!.features).toEqual({ 'candidate.zeta': -2, 'item.price': 12.5, 'candidate.alpha': 1.5, 'candidate.absent': 0 });
  });

  it('explains a model answer: the features it saw and the top contributions by occlusion', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'p', price: '20', category: 'shoes' }]);
    provider.model = new LinearModel('default', 'v2', ['item.price', 'candidate.relevance', 'item.tag_count'], { 'item.price': 0.1, 'candidate.relevance': 3 });
    const res = await h.recommend({ websiteId: site, candidates: [{ itemId: 'p', features: { relevance: 0.5 } }], explain: true });
    expect(res.items[0]!.features).toEqual({ 'item.price': 20, 'candidate.relevance': 0.5, 'item.tag_count': 0 });
    expect(res.items[0]!.reasons).toEqual(['candidate sent by the caller', 'item.price = 20 raised the score by 2', 'candidate.relevance = 0.5 raised the score by 1.5']);
    const plain = await h.recommend({ websiteId: site, candidates: [{ itemId: 'p', features: { relevance: 0.5 } }] });
    expect(plain.items[0]).toMatchObject({ reasons: [], features: {} });
  });

  it.each([
    ['error', FallbackReason.FALLBACK_REASON_MODEL_ERROR],
    ['nan', FallbackReason.FALLBACK_REASON_MODEL_ERROR],
    ['hang', FallbackReason.FALLBACK_REASON_MODEL_TIMEOUT],
  ] as const)('falls back to the heuristic when the model fails (%s), never an error', async (failure, reason) => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'a' }, { itemId: 'b' }]);
    const model = new LinearModel('default', 'bad', ['item.price'], { 'item.price': 1 });
    model.failWith = failure;
    provider.model = model;
    const res = await h.recommend({ websiteId: site, count: 2 });
    expect(res).toMatchObject({ fallback: true, fallbackReason: reason, strategy: 'heuristic', model: undefined });
    expect(res.items).toHaveLength(2);
  });

  it('rejects a model declaring unknown features by falling back (MODEL_ERROR)', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'a' }]);
    provider.model = new LinearModel('default', 'odd', ['item.colour'], {});
    const res = await h.recommend({ websiteId: site });
    expect(res).toMatchObject({ fallback: true, fallbackReason: FallbackReason.FALLBACK_REASON_MODEL_ERROR });
  });
});

describe('Recommend without a model', () => {
  it('answers from the heuristic, flagged NO_ACTIVE_MODEL, or MODEL_NOT_READY before the provider settles', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'a' }, { itemId: 'b' }]);
    const res = await h.recommend({ websiteId: site, count: 2, explain: true });
    expect(res).toMatchObject({ fallback: true, fallbackReason: FallbackReason.FALLBACK_REASON_NO_ACTIVE_MODEL, strategy: 'heuristic', profileUsed: false });
    for (const it of res.items) {
      expect(it.score).toBeGreaterThan(0);
      expect(it.score).toBeLessThanOrEqual(1);
      expect(it.strategy).toBe('popular');
      expect(it.reasons.join(' ')).toMatch(/popular on this website/);
    }
    provider.ready = false;
    expect((await h.recommend({ websiteId: site })).fallbackReason).toBe(FallbackReason.FALLBACK_REASON_MODEL_NOT_READY);
  });

  it('labels caller candidates "caller" and ranks them', async () => {
    const site = await h.newWebsite();
    const res = await h.recommend({ websiteId: site, candidates: [{ itemId: 'u1', features: {} }, { itemId: 'u2', features: {} }] });
    expect(res.items.map((i) => [i.strategy, i.source])).toEqual([
      ['caller', 'caller'],
      ['caller', 'caller'],
    ]);
  });
});

describe('filters and diversity', () => {
  let site: string;
  beforeAll(async () => {
    site = await h.newWebsite();
    await h.upsert(site, [
      { itemId: 's1', category: 'shoes' },
      { itemId: 's2', category: 'shoes' },
      { itemId: 's3', category: 'shoes' },
      { itemId: 'h1', category: 'hats' },
      { itemId: 'h2', category: 'hats' },
      { itemId: 'b1', category: 'bags' },
      { itemId: 'gone', category: 'bags', available: false },
      { itemId: 'article', category: 'bags', itemType: ItemType.ITEM_TYPE_CONTENT },
    ]);
  });

  it('never returns excluded, unavailable, wrong-type, page or cart items', async () => {
    const res = await h.recommend({
      websiteId: site,
      count: 100,
      excludeItemIds: ['s1'],
      context: { itemId: 'h1', cartItemIds: ['b1'] } as never,
    });
    expect(ids(res).sort()).toEqual(['h2', 's2', 's3']);
    const content = await h.recommend({ websiteId: site, type: RecommendationType.RECOMMENDATION_TYPE_CONTENT });
    expect(ids(content)).toEqual(['article']);
  });

  it("drops products the user already bought (a converted row of theirs), for that user only, generated or the caller's", async () => {
    const shop = await h.newWebsite();
    await h.upsert(shop, [{ itemId: 'a' }, { itemId: 'b' }, { itemId: 'c' }]);
    await h.sql.query(
      `INSERT INTO recommendations (website_id, session_id, user_id, item_id, converted, converted_at, revenue) VALUES ($1, $2, 'buyer', 'b', true, now(), 10)`,
      [shop, randomUUID()],
    );
    expect(ids(await h.recommend({ websiteId: shop, userId: 'buyer', count: 10 })).sort()).toEqual(['a', 'c']);
    const caller = await h.recommend({ websiteId: shop, userId: 'buyer', candidates: [{ itemId: 'b', features: {} }, { itemId: 'c', features: {} }] });
    expect(ids(caller)).toEqual(['c']);
    expect(ids(await h.recommend({ websiteId: shop, userId: 'someone-else', count: 10 })).sort()).toEqual(['a', 'b', 'c']);
  });

  it('applies include and exclude categories (caller items of unknown category are dropped by include)', async () => {
    expect(ids(await h.recommend({ websiteId: site, count: 100, includeCategories: ['hats'] })).sort()).toEqual(['h1', 'h2']);
    expect(ids(await h.recommend({ websiteId: site, count: 100, excludeCategories: ['shoes', 'hats'] }))).toEqual(['b1']);
    const caller = await h.recommend({ websiteId: site, includeCategories: ['hats'], candidates: [{ itemId: 'h1', features: {} }, { itemId: 'unknown', features: {} }] });
    expect(ids(caller)).toEqual(['h1']);
  });

  it('caps items per category (max_items_per_category)', async () => {
    const res = await h.recommend({ websiteId: site, count: 100, maxItemsPerCategory: 1 });
    expect(ids(res).sort()).toEqual(['b1', 'h1', 's1'].sort());
    const two = await h.recommend({ websiteId: site, count: 100, maxItemsPerCategory: 2 });
    expect(two.items).toHaveLength(5);
  });
});

describe('the cold-start ladder', () => {
  it('website popular for a new anonymous visitor, then segment popular, then what the page leads to', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'p1' }, { itemId: 'p2' }, { itemId: 'p3' }, { itemId: 'p4' }]);
    // Empty log: still an answer (every available item, "popular").
    const first = await h.recommend({ websiteId: site, count: 4 });
    expect(first.items).toHaveLength(4);
    expect(first.items.every((i) => i.source === 'popular')).toBe(true);

    // Logged behaviour: p1 popular site-wide; p3 clicked once on desktop, p4 once on mobile; p2 clicked with p1 in one session.
    const together = randomUUID();
    const rows: [string, string, string][] = [
      [randomUUID(), 'p1', 'desktop'],
      [randomUUID(), 'p1', 'desktop'],
      [randomUUID(), 'p1', 'desktop'],
      [together, 'p1', 'desktop'],
      [together, 'p2', 'desktop'],
      [randomUUID(), 'p3', 'desktop'],
      [randomUUID(), 'p4', 'mobile'],
    ];
    for (const [session, item, device] of rows) {
      await h.sql.query(
        `INSERT INTO recommendations (website_id, session_id, item_id, clicked, clicked_at, context) VALUES ($1, $2, $3, true, now(), $4)`,
        [site, session, item, JSON.stringify({ device })],
      );
    }
    await h.upsert(site, [{ itemId: 'p1' }]); // refreshes the website's snapshot now

    const anonymous = await h.recommend({ websiteId: site, count: 4 });
    expect(ids(anonymous)).toEqual(['p1', 'p2', 'p3', 'p4']);
    // Same popularity for p3 and p4: the mobile segment lifts p4 above p3 for a mobile visitor.
    const mobile = await h.recommend({ websiteId: site, count: 4, context: { device: Device.DEVICE_MOBILE } as never, explain: true });
    expect(ids(mobile)).toEqual(['p1', 'p4', 'p2', 'p3']);
    expect(mobile.items[1]!.source).toBe('popular');
    expect(mobile.items[1]!.reasons.join(' ')).toMatch(/visitors like this one \(device mobile\)/);
    const onPage = await h.recommend({ websiteId: site, count: 4, context: { itemId: 'p2' } as never, explain: true });
    expect(onPage.items[0]).toMatchObject({ itemId: 'p1', source: 'co_visitation' });
    expect(onPage.items[0]!.reasons).toContain('viewed together with item p2');
    expect(ids(onPage)).not.toContain('p2');

    // A later page of the same session that sends no recent items: the service remembers p2 was viewed.
    const sessionId = randomUUID();
    await h.recommend({ websiteId: site, sessionId, count: 1, context: { itemId: 'p2' } as never, dryRun: true });
    const later = await h.recommend({ websiteId: site, sessionId, count: 4, explain: true });
    expect(later.items.find((i) => i.itemId === 'p1')).toMatchObject({ source: 'co_visitation', reasons: expect.arrayContaining(['viewed together with item p2']) });
    const otherSession = await h.recommend({ websiteId: site, count: 4 });
    expect(otherSession.items.every((i) => i.source !== 'co_visitation')).toBe(true);
  });
});

describe('validation', () => {
  it.each([
    [{ websiteId: 'nope' }, 'website_id'],
    [{ count: 101 }, 'count'],
    [{ count: -1 }, 'count'],
    [{ maxItemsPerCategory: 101 }, 'max_items_per_category'],
    [{ candidates: [{ itemId: 'a', features: {} }, { itemId: 'a', features: {} }] }, 'candidates[1].item_id'],
    [{ candidates: [{ itemId: 'a', features: { 'bad-key': 1 } }] }, 'candidates[0].features'],
    [{ candidates: [{ itemId: 'a', features: { k: Number.POSITIVE_INFINITY } }] }, 'candidates[0].features'],
    [{ context: { timeZone: 'Mars/Olympus' } }, 'context.time_zone'],
    [{ context: { time: new Date(Date.now() + 3_600_000) } }, 'context.time'],
    [{ modelName: '../x' }, 'model_name'],
    [{ get excludeItemIds() { return Array.from({ length: 1001 }, (_, i) => `x${i}`); } }, 'exclude_item_ids'],
  ])('INVALID_ARGUMENT naming the field (case %#: %s)', async (req, field) => {
    const site = randomUUID();
    await expect(h.recommend({ websiteId: site, ...(req as object) })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringMatching(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: `)),
    });
  });

  it('NOT_FOUND for a website that does not exist', async () => {
    await expect(h.recommend({ websiteId: randomUUID() })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });
});

describe('logging', () => {
  it('logs every shown item after answering, with the answer id; dry_run logs nothing', async () => {
    const site = await h.newWebsite();
    await h.upsert(site, [{ itemId: 'a' }, { itemId: 'b' }, { itemId: 'c' }]);
    provider.model = new LinearModel('default', 'v9', ['item.in_catalog'], { 'item.in_catalog': 1 });
    const sessionId = randomUUID();
    const res = await h.recommend({ websiteId: site, sessionId, userId: 'u-1', count: 2, context: { device: Device.DEVICE_TABLET } as never });
    await h.recommend({ websiteId: site, count: 2, dryRun: true });
    const rows = await eventually(async () => {
      const r = await h.sql.query('SELECT * FROM recommendations WHERE website_id = $1 ORDER BY rank', [site]);
      expect(r.rowCount).toBe(2);
      return r.rows;
    });
    rows.forEach((row, i) => {
      expect(row).toMatchObject({
        recommendation_id: res.recommendationId,
        session_id: sessionId,
        user_id: 'u-1',
        item_id: res.items[i]!.itemId,
        rank: i + 1,
        strategy: 'model',
        model_version: 'v9',
        recommendation_type: 'product',
        clicked: false,
      });
      expect(row.score).toBeCloseTo(res.items[i]!.score, 6);
      expect(row.context).toMatchObject({ device: 'tablet' });
      expect(row.personalization_factors).toMatchObject({ source: 'popular', profile: 'disabled' });
    });
    // Time-ordered ids (UUID version 7) for the answer and its rows, in the order they were shown:
    // index keys that append rather than scatter (time-ordered-ids.ts).
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(res.recommendationId).toMatch(v7);
    for (const row of rows) expect(row.id).toMatch(v7);
    expect(rows[0].id < rows[1].id).toBe(true);
    expect(res.recommendationId < rows[0].id).toBe(true);
    expect(Math.abs(timeOfUuidV7(res.recommendationId)! - Date.now())).toBeLessThan(60_000);
  });
});

describe('load shedding', () => {
  it('refuses calls past MAX_IN_FLIGHT_RECOMMEND with RESOURCE_EXHAUSTED, then serves again', async () => {
    const slow = new SettableModelProvider();
    const model = new LinearModel('default', 'slow', ['item.price'], {});
    model.failWith = 'hang';
    slow.model = model;
    const tight = await startHarness({ modelProvider: slow, env: { MAX_IN_FLIGHT_RECOMMEND: '1', SCORING_TIMEOUT_MS: '300' } });
    try {
      const site = await tight.newWebsite();
      await tight.upsert(site, [{ itemId: 'a' }]);
      const first = tight.recommend({ websiteId: site });
      // The first call is inside the scoring budget until the model has been asked.
      while (model.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
      await expect(tight.recommend({ websiteId: site })).rejects.toMatchObject({ code: Status.RESOURCE_EXHAUSTED });
      expect(await first).toMatchObject({ fallbackReason: FallbackReason.FALLBACK_REASON_MODEL_TIMEOUT });
      expect((await tight.recommend({ websiteId: site })).items).toHaveLength(1);
    } finally {
      await tight.close();
    }
  });

  it('refuses calls that waited past RECOMMEND_MAX_WAIT_MS behind a burst, answers the others, then serves again', async () => {
    const busy = new SettableModelProvider();
    const model = new LinearModel('default', 'busy', ['item.price'], { 'item.price': 1 });
    busy.model = model;
    const shedding = await startHarness({ modelProvider: busy, env: { RECOMMEND_MAX_WAIT_MS: '20' } });
    try {
      const site = await shedding.newWebsite();
      await shedding.upsert(site, [{ itemId: 'a', price: '3' }]);
      await shedding.recommend({ websiteId: site });
      // 60 calls sent at once, each scoring for 5 ms on the service thread: the later ones wait 20–300 ms.
      model.busyMs = 5;
      const burst = await Promise.allSettled(Array.from({ length: 60 }, () => shedding.recommend({ websiteId: site })));
      const answered = burst.filter((r) => r.status === 'fulfilled');
      const refused = burst.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code: number; details: string }] : []));
      expect(answered.length).toBeGreaterThanOrEqual(4);
      expect(refused.length).toBeGreaterThanOrEqual(20);
      for (const err of refused) {
        expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
        expect(err.details).toMatch(/overloaded \(the call waited \d+ ms to start, limit 20 ms\); retry later/);
      }
      for (const r of answered) expect((r as PromiseFulfilledResult<{ items: unknown[] }>).value.items).toHaveLength(1);
      const counted = await shedding.service.metrics.registry.getSingleMetric('ranking_recommend_shed_total')!.get();
      expect(counted.values.find((v) => v.labels.reason === 'wait')?.value).toBe(refused.length);
      // Once the burst is over nothing is waiting: served again.
      await new Promise((r) => setTimeout(r, 20));
      expect((await shedding.recommend({ websiteId: site })).items).toHaveLength(1);
    } finally {
      await shedding.close();
    }
  });
});
