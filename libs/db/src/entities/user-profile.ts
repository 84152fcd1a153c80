import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { DEVICE_PREFERENCES, FUNNEL_POSITIONS, LIFECYCLE_STAGES, PRICE_SENSITIVITIES } from './enums';
import { WebsiteSchema } from './website';

/**
 * `user_profiles` (seed 002, unique per website since 003, checks since 004,
 * profile-service's counters and list index since 010, derived-field versions since 011;
 * idx_user_profiles_website_id dropped by 012, a prefix of the unique index),
 * owned by profile-service. Comments mirror the seed's COMMENT ON statements
 * so the schema diff stays empty.
 */
export const UserProfileSchema = defineEntity({
  name: 'UserProfile',
  tableName: 'user_profiles',
  comment: 'Aggregated user behavior and preferences for personalization',
  properties: (p) => ({
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    userId: p.string().length(255).fieldName('user_id'),
    websiteId: p
      .manyToOne(WebsiteSchema)
      .mapToPk()
      .fieldName('website_id')
      .foreignKeyName('fk_user_profiles_website')
      .deleteRule('cascade')
      // The SQL says only ON DELETE CASCADE; MikroORM would default ON UPDATE to cascade.
      .updateRule('no action'),

    lifecycleStage: p
      .enum([...LIFECYCLE_STAGES])
      .columnType('varchar(50)')
      .nullable()
      .fieldName('lifecycle_stage')
      .comment('User lifecycle stage: new, active, at_risk, churned'),
    funnelPosition: p
      .enum([...FUNNEL_POSITIONS])
      .columnType('varchar(50)')
      .nullable()
      .fieldName('funnel_position')
      .comment('User position in marketing funnel'),

    sessionCount: p.integer().nullable().default(0).fieldName('session_count'),
    totalPageviews: p.integer().nullable().default(0).fieldName('total_pageviews'),
    totalEvents: p.integer().nullable().default(0).fieldName('total_events'),
    totalPurchases: p.integer().nullable().default(0).fieldName('total_purchases'),
    /** Exact decimal as a string (numeric(19,4)). */
    totalRevenue: p.decimal().precision(19).scale(4).nullable().default(0).fieldName('total_revenue'),

    /** Seconds. */
    avgSessionDuration: p.integer().nullable().fieldName('avg_session_duration'),
    /** Seconds. */
    avgTimeOnPage: p.integer().nullable().fieldName('avg_time_on_page'),
    /** Percentage 0-100. */
    avgScrollDepth: p.integer().nullable().fieldName('avg_scroll_depth'),
    /** Fraction 0-1 as an exact decimal string (numeric(5,4)). */
    bounceRate: p.decimal().precision(5).scale(4).nullable().fieldName('bounce_rate'),

    favoriteCategories: p
      .json<string[]>()
      .nullable()
      .fieldName('favorite_categories')
      .comment('JSONB array of favorite product categories'),
    favoriteProducts: p
      .json<string[]>()
      .nullable()
      .fieldName('favorite_products')
      .comment('JSONB array of favorite product IDs'),
    priceSensitivity: p
      .enum([...PRICE_SENSITIVITIES])
      .columnType('varchar(20)')
      .nullable()
      .fieldName('price_sensitivity'),
    preferredBrands: p.json<string[]>().nullable().fieldName('preferred_brands'),
    devicePreference: p
      .enum([...DEVICE_PREFERENCES])
      .columnType('varchar(20)')
      .nullable()
      .fieldName('device_preference'),

    // Counters profile-service keeps to derive funnel position and means exactly (migration 010).
    productViewCount: p.integer().default(0).fieldName('product_view_count'),
    addToCartCount: p.integer().default(0).fieldName('add_to_cart_count'),
    timeOnPageSum: p.bigint('number').default(0).fieldName('time_on_page_sum'),
    timeOnPageCount: p.integer().default(0).fieldName('time_on_page_count'),
    scrollDepthSum: p.bigint('number').default(0).fieldName('scroll_depth_sum'),
    scrollDepthCount: p.integer().default(0).fieldName('scroll_depth_count'),
    // Derived fields are stale while these differ (migration 011).
    derivedVersion: p.bigint('number').default(0).fieldName('derived_version'),
    derivedSettled: p.bigint('number').default(0).fieldName('derived_settled'),
    // Newest event time; last_visit follows it when the profile is settled (migration 019).
    lastSeenAt: p.datetime().nullable().fieldName('last_seen_at').comment('Newest event time; last_visit follows it when the profile is settled'),

    firstVisit: p.datetime().nullable().fieldName('first_visit'),
    lastVisit: p.datetime().nullable().fieldName('last_visit'),
    createdAt: p.datetime().nullable().defaultRaw('now()').fieldName('created_at'),
    updatedAt: p
      .datetime()
      .nullable()
      .defaultRaw('now()')
      .onUpdate(() => new Date())
      .fieldName('updated_at'),
  }),
  uniques: [{ name: 'user_profiles_website_id_user_id_key', properties: ['websiteId', 'userId'] }],
  indexes: [
    { name: 'idx_user_profiles_user_id', properties: ['userId'] },
    { name: 'idx_user_profiles_lifecycle', properties: ['lifecycleStage'] },
    { name: 'idx_user_profiles_last_visit', properties: ['lastVisit'] },
    { name: 'idx_user_profiles_website_last_visit', properties: ['websiteId', 'lastVisit'] },
  ],
});

export type UserProfile = InferEntity<typeof UserProfileSchema>;
