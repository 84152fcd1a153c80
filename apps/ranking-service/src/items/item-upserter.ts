import type { Item, UpsertItemsRequest, UpsertItemsResponse } from '@recsys/contracts/ranking';
import { ITEM_TYPES } from '@recsys/contracts/vocabularies';
import { InvalidArgumentError, NotFoundError } from '@recsys/service-kit';
import type { CatalogCache } from '../catalog/catalog-cache';
import type { CatalogRepository, CatalogRow } from '../catalog/catalog-repository';
import { decimal, itemId, maxLength, uuid } from '../validation/fields';

/** UpsertItems: validate every item (naming index and field), write all in one statement, refresh the website's snapshot. */
export class ItemUpserter {
  constructor(
    private readonly repository: CatalogRepository,
    private readonly cache: CatalogCache,
  ) {}

  async upsert(req: UpsertItemsRequest): Promise<UpsertItemsResponse> {
    const websiteId = uuid(req.websiteId, 'website_id');
    if (req.items.length === 0) throw new InvalidArgumentError('must hold 1..1,000 items, got none', 'items');
    if (req.items.length > 1000) throw new InvalidArgumentError(`must hold 1..1,000 items, got ${req.items.length}`, 'items');
    const seen = new Set<string>();
    const rows = req.items.map((item, i) => {
      const row = toRow(item, `items[${i}]`);
      if (seen.has(row.itemId)) throw new InvalidArgumentError(`item ${JSON.stringify(row.itemId)} appears more than once`, `items[${i}].item_id`);
      seen.add(row.itemId);
      return row;
    });
    if (!(await this.repository.websiteExists(websiteId))) throw new NotFoundError(`website_id: website ${websiteId} does not exist`);
    await this.repository.upsert(websiteId, rows);
    // The writer's next Recommend sees its items; other websites keep their timer.
    await this.cache.refresh(websiteId);
    return { upsertedCount: rows.length };
  }
}

export function toRow(item: Item, at: string): CatalogRow {
  itemId(item.itemId, `${at}.item_id`);
  maxLength(item.title, 500, `${at}.title`);
  maxLength(item.category, 255, `${at}.category`);
  maxLength(item.brand, 255, `${at}.brand`);
  if (item.price) decimal(item.price, `${at}.price`);
  if (item.tags.length > 50) throw new InvalidArgumentError(`at most 50 tags, got ${item.tags.length}`, `${at}.tags`);
  item.tags.forEach((t, j) => {
    if (t.length < 1 || t.length > 100) throw new InvalidArgumentError('must be 1..100 characters', `${at}.tags[${j}]`);
  });
  const keys = Object.keys(item.attributes);
  if (keys.length > 50) throw new InvalidArgumentError(`at most 50 entries, got ${keys.length}`, `${at}.attributes`);
  for (const k of keys) {
    if (k.length < 1 || k.length > 100) throw new InvalidArgumentError(`key ${JSON.stringify(k.slice(0, 40))} must be 1..100 characters`, `${at}.attributes`);
    if (item.attributes[k]!.length > 1000) throw new InvalidArgumentError(`value of ${JSON.stringify(k)} must be at most 1,000 characters`, `${at}.attributes`);
  }
  if (item.publishedAt && Number.isNaN(item.publishedAt.getTime())) throw new InvalidArgumentError('is not a valid timestamp', `${at}.published_at`);
  return {
    itemId: item.itemId,
    kind: ITEM_TYPES.nameOf(item.itemType) ?? 'product',
    title: item.title || null,
    category: item.category || null,
    brand: item.brand || null,
    price: item.price || null,
    tags: [...item.tags],
    attributes: { ...item.attributes },
    available: item.available ?? true,
    publishedAt: item.publishedAt ?? null,
  };
}
