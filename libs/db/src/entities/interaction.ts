import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * `interactions` (migration 023): every accepted event about an item, written
 * by profile-service in the same transaction as the profile update. Partitioned
 * by month of occurred_at; the partitions (interactions_pYYYYMM) are made and
 * dropped by profile-service, and are not entities (MikroORM does not list
 * partitions). No foreign key to website: the website-deletion trigger removes
 * a website's rows.
 */
export const InteractionSchema = defineEntity({
  name: 'Interaction',
  tableName: 'interactions',
  comment: 'Accepted events about an item (profile-service), partitioned by month, kept INTERACTION_RETENTION_DAYS',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    occurredAt: p.datetime().primary().fieldName('occurred_at'),
    eventId: p.string().length(128).primary().fieldName('event_id').comment('The TrackEvents event id (unique per website: dedupe)'),
    userId: p.string().length(255).fieldName('user_id'),
    sessionId: p.uuid().fieldName('session_id'),
    itemId: p.string().length(255).fieldName('item_id'),
    kind: p
      .enum(['product_view', 'item_view', 'add_to_cart', 'purchase'])
      .columnType('varchar(20)')
      .comment('product_view (a product page view), item_view (seen, not a page view), add_to_cart, purchase'),
    device: p.enum(['mobile', 'tablet', 'desktop']).columnType('varchar(20)').nullable(),
    category: p.string().length(255).nullable(),
    price: p.decimal().precision(19).scale(4).nullable(),
    revenue: p.decimal().precision(19).scale(4).nullable().comment('Purchase lines: the line revenue in the reporting currency'),
    orderId: p.string().length(255).nullable().fieldName('order_id'),
    brand: p.string().length(255).nullable().comment("The brand the event named (the profile's preferred brands come from it); NULL before migration 025"),
  }),
});
export type Interaction = InferEntity<typeof InteractionSchema>;
