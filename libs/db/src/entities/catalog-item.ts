import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { WebsiteSchema } from './website';

/** `catalog_items` (migration 006), owned by ranking-service: the items it can recommend, per website. */
export const CatalogItemSchema = defineEntity({
  name: 'CatalogItem',
  tableName: 'catalog_items',
  comment: 'Item catalog per website, owned by ranking-service',
  properties: (p) => ({
    websiteId: p
      .manyToOne(WebsiteSchema)
      .mapToPk()
      .primary()
      .fieldName('website_id')
      .foreignKeyName('fk_catalog_items_website')
      .deleteRule('cascade')
      // The SQL says only ON DELETE CASCADE; MikroORM would default ON UPDATE to cascade.
      .updateRule('no action'),
    /** The site's own item id (same strings as recommendations.item_id). */
    itemId: p.string().length(255).primary().fieldName('item_id'),
    itemType: p.string().length(50).nullable().fieldName('item_type'),
    title: p.text().nullable(),
    category: p.string().length(255).nullable(),
    brand: p.string().length(255).nullable(),
    /** numeric(19,4) as an exact decimal string; >= 0. */
    price: p.decimal().precision(19).scale(4).nullable(),
    tags: p.json<string[]>().nullable().comment('JSONB array of tag strings'),
    attributes: p.json<Record<string, unknown>>().nullable().comment('JSONB object of free-form item attributes'),
    inStock: p.boolean().default(true).fieldName('in_stock'),
    publishedAt: p.datetime().nullable().fieldName('published_at'),
    createdAt: p.datetime().defaultRaw('now()').fieldName('created_at'),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onUpdate(() => new Date())
      .fieldName('updated_at'),
  }),
  indexes: [{ name: 'idx_catalog_items_category', properties: ['websiteId', 'category'] }],
  checks: [{ name: 'catalog_items_price_check', expression: 'price >= 0' }],
});

export type CatalogItem = InferEntity<typeof CatalogItemSchema>;
