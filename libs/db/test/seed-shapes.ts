import type { TableShape } from './introspect';

/**
 * The schema migrations 001 + 002 must build, transcribed by hand from
 * /work/shared/seed/recommendation_tables.sql (copied verbatim as migration
 * 002) and from migration 001 for `website` (the columns Recsys uses in every Umami version), in PostgreSQL's own
 * spelling (format_type, pg_get_constraintdef, pg_indexes). See introspect.ts.
 */
export const TZ = 'timestamp with time zone';

export const WEBSITE: TableShape = {
  columns: [
    'website_id uuid NOT NULL',
    'name character varying(100) NOT NULL',
    'domain character varying(500)',
    'created_at timestamp(6) with time zone DEFAULT CURRENT_TIMESTAMP',
    'updated_at timestamp(6) with time zone',
    'deleted_at timestamp(6) with time zone',
  ],
  indexes: ['website_pkey: CREATE UNIQUE INDEX website_pkey (website_id)'],
  constraints: ['website_pkey: PRIMARY KEY (website_id)'],
  comments: { '': 'Created by Recsys (migration 001) because the database had no Umami website table' },
};

export const USER_PROFILES: TableShape = {
  columns: [
    'id uuid NOT NULL DEFAULT gen_random_uuid()',
    'user_id character varying(255) NOT NULL',
    'website_id uuid NOT NULL',
    'lifecycle_stage character varying(50)',
    'funnel_position character varying(50)',
    'session_count integer DEFAULT 0',
    'total_pageviews integer DEFAULT 0',
    'total_events integer DEFAULT 0',
    'total_purchases integer DEFAULT 0',
    'total_revenue numeric(19,4) DEFAULT 0',
    'avg_session_duration integer',
    'avg_time_on_page integer',
    'avg_scroll_depth integer',
    'bounce_rate numeric(5,4)',
    'favorite_categories jsonb',
    'favorite_products jsonb',
    'price_sensitivity character varying(20)',
    'preferred_brands jsonb',
    'device_preference character varying(20)',
    `first_visit ${TZ}`,
    `last_visit ${TZ}`,
    `created_at ${TZ} DEFAULT now()`,
    `updated_at ${TZ} DEFAULT now()`,
  ],
  indexes: [
    'idx_user_profiles_last_visit: CREATE INDEX idx_user_profiles_last_visit (last_visit)',
    'idx_user_profiles_lifecycle: CREATE INDEX idx_user_profiles_lifecycle (lifecycle_stage)',
    'idx_user_profiles_user_id: CREATE INDEX idx_user_profiles_user_id (user_id)',
    'idx_user_profiles_website_id: CREATE INDEX idx_user_profiles_website_id (website_id)',
    'user_profiles_pkey: CREATE UNIQUE INDEX user_profiles_pkey (id)',
    'user_profiles_user_id_key: CREATE UNIQUE INDEX user_profiles_user_id_key (user_id)',
  ],
  constraints: [
    'fk_user_profiles_website: FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE',
    'user_profiles_pkey: PRIMARY KEY (id)',
    'user_profiles_user_id_key: UNIQUE (user_id)',
  ],
  comments: {
    '': 'Aggregated user behavior and preferences for personalization',
    lifecycle_stage: 'User lifecycle stage: new, active, at_risk, churned',
    funnel_position: 'User position in marketing funnel',
    favorite_categories: 'JSONB array of favorite product categories',
    favorite_products: 'JSONB array of favorite product IDs',
  },
};

export const RECOMMENDATIONS: TableShape = {
  columns: [
    'id uuid NOT NULL DEFAULT gen_random_uuid()',
    'session_id uuid NOT NULL',
    'user_id character varying(255)',
    'website_id uuid NOT NULL',
    'recommendation_type character varying(50)',
    'item_id character varying(255) NOT NULL',
    'score numeric(5,4)',
    'rank integer',
    'context jsonb',
    'strategy character varying(50)',
    'model_version character varying(50)',
    'personalization_factors jsonb',
    'shown boolean DEFAULT true',
    'clicked boolean DEFAULT false',
    'converted boolean DEFAULT false',
    'revenue numeric(19,4)',
    `shown_at ${TZ} DEFAULT now()`,
    `clicked_at ${TZ}`,
    `converted_at ${TZ}`,
  ],
  indexes: [
    'idx_recommendations_item: CREATE INDEX idx_recommendations_item (item_id)',
    'idx_recommendations_outcome: CREATE INDEX idx_recommendations_outcome (clicked, converted)',
    'idx_recommendations_session: CREATE INDEX idx_recommendations_session (session_id)',
    'idx_recommendations_shown_at: CREATE INDEX idx_recommendations_shown_at (shown_at)',
    'idx_recommendations_user: CREATE INDEX idx_recommendations_user (user_id)',
    'idx_recommendations_website: CREATE INDEX idx_recommendations_website (website_id)',
    'recommendations_pkey: CREATE UNIQUE INDEX recommendations_pkey (id)',
  ],
  constraints: [
    'fk_recommendations_website: FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE',
    'recommendations_pkey: PRIMARY KEY (id)',
  ],
  comments: {
    '': 'Historical recommendations for analysis and learning',
    strategy: 'Recommendation strategy used: collaborative, sequential, graph, etc.',
    personalization_factors: 'JSONB object containing factors that influenced this recommendation',
  },
};

export const ML_MODELS: TableShape = {
  columns: [
    'id uuid NOT NULL DEFAULT gen_random_uuid()',
    'name character varying(100) NOT NULL',
    'version character varying(50) NOT NULL',
    'model_type character varying(50)',
    'algorithm character varying(100)',
    'hyperparameters jsonb',
    'training_data_period jsonb',
    'metrics jsonb',
    'artifact_path character varying(500)',
    'artifact_size_bytes bigint',
    'status character varying(20)',
    'is_active boolean DEFAULT false',
    `trained_at ${TZ}`,
    `deployed_at ${TZ}`,
    `created_at ${TZ} DEFAULT now()`,
  ],
  indexes: [
    'idx_ml_models_active: CREATE INDEX idx_ml_models_active (is_active) WHERE (is_active = true)',
    'idx_ml_models_name: CREATE INDEX idx_ml_models_name (name)',
    'idx_ml_models_status: CREATE INDEX idx_ml_models_status (status)',
    'ml_models_name_version_key: CREATE UNIQUE INDEX ml_models_name_version_key (name, version)',
    'ml_models_pkey: CREATE UNIQUE INDEX ml_models_pkey (id)',
  ],
  constraints: ['ml_models_name_version_key: UNIQUE (name, version)', 'ml_models_pkey: PRIMARY KEY (id)'],
  comments: {
    '': 'ML model registry and versioning',
    status: 'Model status: training, validating, production, archived',
    is_active: 'Whether this model version is currently active in production',
  },
};
