import { defineEntity, type InferEntity } from '@mikro-orm/core';

/*
 * The bookkeeping tables of profile-service (migration 010): what it needs
 * besides user_profiles to keep every aggregate exact under replays, late
 * events and concurrent batches. Keyed by website first; profile-service is
 * their only writer and reads them with raw set-based SQL. No foreign key to
 * website (migration 017: a per-row check cost a fifth of a batch); a trigger
 * on website deletes them with it.
 */

/** `profile_event_ids`: accepted event ids (dedupe), purged after the retention period. */
export const ProfileEventIdSchema = defineEntity({
  name: 'ProfileEventId',
  tableName: 'profile_event_ids',
  comment: 'Accepted TrackEvents event ids (dedupe), kept for EVENT_ID_RETENTION_DAYS',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    eventId: p.string().length(128).primary().fieldName('event_id'),
    userId: p.string().length(255).fieldName('user_id'),
    receivedAt: p.datetime().fieldName('received_at'),
  }),
  indexes: [
    { name: 'idx_profile_event_ids_user', properties: ['websiteId', 'userId'] },
    { name: 'idx_profile_event_ids_received_at', properties: ['websiteId', 'receivedAt'] },
  ],
});
export type ProfileEventId = InferEntity<typeof ProfileEventIdSchema>;

/** `profile_sessions`: one row per (user, session): bounds, page views, other events, device. */
export const ProfileSessionSchema = defineEntity({
  name: 'ProfileSession',
  tableName: 'profile_sessions',
  comment: 'Per-session facts of a profile: bounds, page views, other events, device',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    userId: p.string().length(255).primary().fieldName('user_id'),
    sessionId: p.uuid().primary().fieldName('session_id'),
    firstAt: p.datetime().fieldName('first_at'),
    lastAt: p.datetime().fieldName('last_at'),
    pageViews: p.integer().fieldName('page_views'),
    otherEvents: p.integer().fieldName('other_events'),
    device: p.enum(['mobile', 'tablet', 'desktop']).columnType('varchar(20)').nullable(),
    deviceAt: p.datetime().nullable().fieldName('device_at'),
  }),
});
export type ProfileSession = InferEntity<typeof ProfileSessionSchema>;

/** `profile_affinities`: interaction weight per category / product / brand (favourites). */
export const ProfileAffinitySchema = defineEntity({
  name: 'ProfileAffinity',
  tableName: 'profile_affinities',
  comment: 'Interaction weight per category, product and brand of a profile (favourites)',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    userId: p.string().length(255).primary().fieldName('user_id'),
    kind: p.enum(['category', 'product', 'brand']).columnType('varchar(10)').primary(),
    value: p.string().length(255).primary(),
    weight: p.integer(),
    lastAt: p.datetime().fieldName('last_at'),
  }),
});
export type ProfileAffinity = InferEntity<typeof ProfileAffinitySchema>;

/** `profile_prices`: prices of items viewed / carted / bought, with multiplicity. */
export const ProfilePriceSchema = defineEntity({
  name: 'ProfilePrice',
  tableName: 'profile_prices',
  comment: 'Prices of the items a profile viewed, carted or bought, with multiplicity',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    userId: p.string().length(255).primary().fieldName('user_id'),
    /** numeric(19,4) as an exact decimal string. */
    price: p.decimal().precision(19).scale(4).primary(),
    observations: p.integer(),
  }),
});
export type ProfilePrice = InferEntity<typeof ProfilePriceSchema>;

/** `profile_orders`: distinct order ids per profile (total_purchases). */
export const ProfileOrderSchema = defineEntity({
  name: 'ProfileOrder',
  tableName: 'profile_orders',
  comment: 'Distinct order ids of a profile (total_purchases)',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    userId: p.string().length(255).primary().fieldName('user_id'),
    orderId: p.string().length(255).primary().fieldName('order_id'),
  }),
});
export type ProfileOrder = InferEntity<typeof ProfileOrderSchema>;

/** `profile_pending`: profiles changed by TrackEvents since they were last settled (migration 019). */
export const ProfilePendingSchema = defineEntity({
  name: 'ProfilePending',
  tableName: 'profile_pending',
  comment: 'Profiles changed by TrackEvents since they were last settled (derived fields, last_visit)',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    userId: p.string().length(255).primary().fieldName('user_id'),
  }),
});
export type ProfilePending = InferEntity<typeof ProfilePendingSchema>;

export const PROFILE_STATE_ENTITIES = [
  ProfileEventIdSchema,
  ProfileSessionSchema,
  ProfileAffinitySchema,
  ProfilePriceSchema,
  ProfileOrderSchema,
  ProfilePendingSchema,
];
