import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { MODEL_STATUSES } from './enums';
import { WebsiteSchema } from './website';

/**
 * `ml_models` (seed 002, status check since 004, registry columns since 005),
 * owned by registry-service. Comments mirror the SQL's.
 */
export const MlModelSchema = defineEntity({
  name: 'MlModel',
  tableName: 'ml_models',
  comment: 'ML model registry and versioning',
  properties: (p) => ({
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    name: p.string().length(100),
    version: p.string().length(50),
    /** NULL = the model serves every website. */
    websiteId: p
      .manyToOne(WebsiteSchema)
      .mapToPk()
      .nullable()
      .fieldName('website_id')
      .foreignKeyName('fk_ml_models_website')
      .deleteRule('cascade')
      // The SQL says only ON DELETE CASCADE; MikroORM would default ON UPDATE to cascade.
      .updateRule('no action')
      .comment('Website this model serves; NULL = every website'),
    /** 'collaborative_filtering', 'sequential', ... */
    modelType: p.string().length(50).nullable().fieldName('model_type'),

    algorithm: p.string().length(100).nullable(),
    hyperparameters: p.json<Record<string, unknown>>().nullable(),
    /** e.g. { start: '2025-01-01', end: '2025-01-15' } */
    trainingDataPeriod: p.json<Record<string, unknown>>().nullable().fieldName('training_data_period'),
    /** e.g. { precision: 0.15, recall: 0.25, ndcg: 0.30 } */
    metrics: p.json<Record<string, unknown>>().nullable(),

    artifactPath: p.string().length(500).nullable().fieldName('artifact_path'),
    artifactSizeBytes: p.bigint('number').nullable().fieldName('artifact_size_bytes'),
    artifactSha256: p
      .character()
      .length(64)
      .nullable()
      .fieldName('artifact_sha256')
      .comment('Lowercase hex sha256 of the artifact bytes'),
    featureNames: p
      .json<string[]>()
      .nullable()
      .fieldName('feature_names')
      .comment('JSONB array: the feature vocabulary names, in model input column order'),
    inputName: p.string().length(255).nullable().fieldName('input_name'),
    outputName: p.string().length(255).nullable().fieldName('output_name'),
    description: p.text().nullable(),

    status: p
      .enum([...MODEL_STATUSES])
      .columnType('varchar(20)')
      .nullable()
      .comment('Model status: training, validating, production, archived'),
    isActive: p
      .boolean()
      .nullable()
      .default(false)
      .fieldName('is_active')
      .comment('Whether this model version is currently active in production'),

    trainedAt: p.datetime().nullable().fieldName('trained_at'),
    deployedAt: p.datetime().nullable().fieldName('deployed_at'),
    createdAt: p.datetime().nullable().defaultRaw('now()').fieldName('created_at'),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onUpdate(() => new Date())
      .fieldName('updated_at'),
  }),
  uniques: [
    { name: 'ml_models_name_version_key', properties: ['name', 'version'] },
    {
      // One active version per model name and website scope (NULL scope = all websites).
      name: 'uq_ml_models_one_active',
      expression:
        'create unique index "uq_ml_models_one_active" on "ml_models" ' +
        "(name, coalesce(website_id, '00000000-0000-0000-0000-000000000000'::uuid)) where is_active",
    },
  ],
  indexes: [
    { name: 'idx_ml_models_name', properties: ['name'] },
    { name: 'idx_ml_models_status', properties: ['status'] },
    { name: 'idx_ml_models_active', expression: 'create index "idx_ml_models_active" on "ml_models" (is_active) where is_active = true' },
    { name: 'idx_ml_models_website', properties: ['websiteId'] },
  ],
  checks: [{ name: 'ml_models_artifact_sha256_check', expression: "artifact_sha256 ~ '^[0-9a-f]{64}$'" }],
});

export type MlModel = InferEntity<typeof MlModelSchema>;
