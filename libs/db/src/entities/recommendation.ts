import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * `recommendations` (seed 002, request_id since 007, score double since 015; idx_recommendations_website
 * and idx_recommendations_request dropped by 020, served by other indexes; 021 drops three more and
 * makes shown_at's a BRIN index, for cheaper inserts; 022 renames request_id to recommendation_id,
 * the contract's name; 024 partitions it by day of shown_at — key (id, shown_at), shown_at NOT NULL,
 * no foreign key to website (a deletion trigger instead), the user index partial): one row per item
 * shown by ranking-service, with its outcome. The day partitions are made and dropped by
 * ranking-service and are not entities. Comments mirror the SQL's.
 */
export const RecommendationSchema = defineEntity({
  name: 'Recommendation',
  tableName: 'recommendations',
  comment:
    'Historical recommendations for analysis and learning (partitioned by day of shown_at, kept RECOMMENDATION_RETENTION_DAYS; older days in recommendation_daily_stats)',
  properties: (p) => ({
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    sessionId: p.uuid().fieldName('session_id'),
    userId: p.string().length(255).nullable().fieldName('user_id'),
    websiteId: p.uuid().fieldName('website_id'),
    recommendationId: p
      .uuid()
      .nullable()
      .fieldName('recommendation_id')
      .comment('Groups the rows of one Recommend answer: the recommendation_id it answered with'),

    /** 'product', 'content', 'offer'. */
    recommendationType: p.string().length(50).nullable().fieldName('recommendation_type'),
    itemId: p.string().length(255).fieldName('item_id'),
    /** double precision since 015 (the seed's numeric(5,4) could not hold model outputs). */
    score: p.double().nullable().comment('Ranking score as answered (model output, or heuristic score 0..1)'),
    rank: p.integer().nullable(),

    /** Page, product, category where shown. */
    context: p.json<Record<string, unknown>>().nullable(),
    strategy: p
      .string()
      .length(50)
      .nullable()
      .comment('Recommendation strategy used: collaborative, sequential, graph, etc.'),
    modelVersion: p.string().length(50).nullable().fieldName('model_version'),
    personalizationFactors: p
      .json<Record<string, unknown>>()
      .nullable()
      .fieldName('personalization_factors')
      .comment('JSONB object containing factors that influenced this recommendation'),

    shown: p.boolean().nullable().default(true),
    clicked: p.boolean().nullable().default(false),
    converted: p.boolean().nullable().default(false),
    revenue: p.decimal().precision(19).scale(4).nullable(),

    shownAt: p.datetime().primary().defaultRaw('now()').fieldName('shown_at'),
    clickedAt: p.datetime().nullable().fieldName('clicked_at'),
    convertedAt: p.datetime().nullable().fieldName('converted_at'),
  }),
  indexes: [
    { name: 'idx_recommendations_session', properties: ['sessionId'] },
    { name: 'idx_recommendations_user', expression: 'create index "idx_recommendations_user" on "recommendations" ("user_id") where user_id is not null' },
    { name: 'idx_recommendations_shown_at', expression: 'create index "idx_recommendations_shown_at" on "recommendations" using brin (shown_at)' },
    { name: 'idx_recommendations_website_shown_at', properties: ['websiteId', 'shownAt'] },
    { name: 'idx_recommendations_recommendation_id', properties: ['recommendationId'] },
  ],
});

export type Recommendation = InferEntity<typeof RecommendationSchema>;

/** `recommendation_daily_stats` (024): what each day of the log counted, written when the day leaves the log. */
export const RecommendationDailyStatSchema = defineEntity({
  name: 'RecommendationDailyStat',
  tableName: 'recommendation_daily_stats',
  comment: 'Per website and UTC day of shown_at: what the recommendations log counted, written when the day leaves the log (retention)',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    day: p.date().primary(),
    modelVersion: p.string().length(50).primary().fieldName('model_version').comment('recommendations.model_version; empty string for none'),
    strategy: p.string().length(50).primary().comment('recommendations.strategy; empty string for none'),
    recommendationType: p.string().length(50).primary().fieldName('recommendation_type').comment('recommendations.recommendation_type; empty string for none'),
    shown: p.bigint(),
    clicks: p.bigint(),
    conversions: p.bigint(),
    revenue: p.decimal().precision(19).scale(4).comment('Sum of revenue of converted rows'),
  }),
});
export type RecommendationDailyStat = InferEntity<typeof RecommendationDailyStatSchema>;
