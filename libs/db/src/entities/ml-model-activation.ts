import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { MlModelSchema } from './ml-model';
import { WebsiteSchema } from './website';

/**
 * `ml_model_activations` (migration 008), owned by registry-service: one row per
 * activation of a model version in its (name, website scope), newest = highest
 * id; RollbackModel walks it backwards.
 */
export const MlModelActivationSchema = defineEntity({
  name: 'MlModelActivation',
  tableName: 'ml_model_activations',
  comment: 'Activation history per model name and website scope, for RollbackModel',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    modelId: p
      .manyToOne(MlModelSchema)
      .mapToPk()
      .fieldName('model_id')
      .foreignKeyName('fk_ml_model_activations_model')
      .deleteRule('cascade')
      .updateRule('no action'),
    name: p.string().length(100),
    websiteId: p
      .manyToOne(WebsiteSchema)
      .mapToPk()
      .nullable()
      .fieldName('website_id')
      .foreignKeyName('fk_ml_model_activations_website')
      .deleteRule('cascade')
      .updateRule('no action'),
    activatedAt: p.datetime().defaultRaw('now()').fieldName('activated_at'),
  }),
  indexes: [
    { name: 'idx_ml_model_activations_scope', properties: ['name', 'websiteId', 'id'] },
    { name: 'idx_ml_model_activations_model', properties: ['modelId'] },
  ],
});

export type MlModelActivation = InferEntity<typeof MlModelActivationSchema>;
