import { status as Status } from '@grpc/grpc-js';
import { ItemType, UpsertItemsRequest } from '@recsys/contracts/ranking';
import { unary } from '@recsys/service-kit/testing';
import { randomUUID } from 'node:crypto';
import { startHarness, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const upsert = (req: Partial<UpsertItemsRequest>) => unary(h.client.upsertItems.bind(h.client), UpsertItemsRequest.fromPartial(req));

describe('UpsertItems', () => {
  it('creates, then replaces each item as a whole (omitted fields become empty), available defaulting to true', async () => {
    const site = await h.newWebsite();
    expect(
      await upsert({
        websiteId: site,
        items: [
          { itemId: 'a', itemType: ItemType.ITEM_TYPE_OFFER, title: 'A', category: 'c', brand: 'b', price: '1.5', tags: ['t'], attributes: { k: 'v' }, available: false, publishedAt: new Date('2026-01-01T00:00:00Z') },
          { itemId: 'b' },
        ],
      }),
    ).toEqual({ upsertedCount: 2 });
    await upsert({ websiteId: site, items: [{ itemId: 'a', title: 'A2' }] });
    const rows = (await h.sql.query('SELECT item_id, item_type, title, category, brand, price, tags, attributes, in_stock, published_at FROM catalog_items WHERE website_id = $1 ORDER BY item_id', [site])).rows;
    expect(rows).toEqual([
      { item_id: 'a', item_type: 'product', title: 'A2', category: null, brand: null, price: null, tags: [], attributes: {}, in_stock: true, published_at: null },
      { item_id: 'b', item_type: 'product', title: null, category: null, brand: null, price: null, tags: [], attributes: {}, in_stock: true, published_at: null },
    ]);
  });

  it('is all or none: one bad item writes nothing, and the error names its index and field', async () => {
    const site = await h.newWebsite();
    const items = Array.from({ length: 13 }, (_, i) => ({ itemId: `i${i}`, price: i === 12 ? '1,50' : '1' }));
    await expect(upsert({ websiteId: site, items })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringMatching(/^items\[12\]\.price: /) });
    expect((await h.sql.query('SELECT count(*)::int AS n FROM catalog_items WHERE website_id = $1', [site])).rows[0].n).toBe(0);
  });

  it.each([
    [{ items: [] }, /^items: /],
    [{ items: Array.from({ length: 1001 }, (_, i) => ({ itemId: `i${i}` })) }, /^items: /],
    [{ items: [{ itemId: 'x' }, { itemId: 'x' }] }, /^items\[1\]\.item_id: /],
    [{ items: [{ itemId: '' }] }, /^items\[0\]\.item_id: /],
    [{ items: [{ itemId: 'x', title: 't'.repeat(501) }] }, /^items\[0\]\.title: /],
    [{ items: [{ itemId: 'x', tags: [''] }] }, /^items\[0\]\.tags\[0\]: /],
    [{ items: [{ itemId: 'x', attributes: { k: 'v'.repeat(1001) } }] }, /^items\[0\]\.attributes: /],
    [{ items: [{ itemId: 'x', price: '-1' }] }, /^items\[0\]\.price: /],
  ])('INVALID_ARGUMENT (case %#)', async (req, details) => {
    const site = await h.newWebsite();
    await expect(upsert({ websiteId: site, ...(req as object) })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringMatching(details) });
  });

  it('NOT_FOUND for an unknown website; INVALID_ARGUMENT for a malformed one', async () => {
    await expect(upsert({ websiteId: randomUUID(), items: [{ itemId: 'a' }] })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(upsert({ websiteId: 'x', items: [{ itemId: 'a' }] })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringMatching(/^website_id: /) });
  });

  it('unavailable items leave recommendations at once', async () => {
    const site = await h.newWebsite();
    await upsert({ websiteId: site, items: [{ itemId: 'a' }, { itemId: 'b' }] });
    expect((await h.recommend({ websiteId: site })).items.map((i) => i.itemId).sort()).toEqual(['a', 'b']);
    await upsert({ websiteId: site, items: [{ itemId: 'a', available: false }] });
    expect((await h.recommend({ websiteId: site })).items.map((i) => i.itemId)).toEqual(['b']);
  });
});
