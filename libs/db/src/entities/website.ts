import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * Umami's `website` table (migrations/001_umami_website.sql). In a real Umami
 * database Umami owns it; Recsys only reads it and references website_id.
 */
export const WebsiteSchema = defineEntity({
  name: 'Website',
  tableName: 'website',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    name: p.string().length(100),
    domain: p.string().length(500).nullable(),
    shareId: p.string().length(50).nullable().fieldName('share_id'),
    resetAt: p.datetime(6).nullable().fieldName('reset_at'),
    userId: p.uuid().nullable().fieldName('user_id'),
    teamId: p.uuid().nullable().fieldName('team_id'),
    createdBy: p.uuid().nullable().fieldName('created_by'),
    createdAt: p.datetime(6).nullable().defaultRaw('CURRENT_TIMESTAMP').fieldName('created_at'),
    updatedAt: p.datetime(6).nullable().fieldName('updated_at'),
    deletedAt: p.datetime(6).nullable().fieldName('deleted_at'),
  }),
  // Names exactly as Umami's Prisma migrations create them.
  uniques: [
    { name: 'website_website_id_key', properties: ['websiteId'] },
    { name: 'website_share_id_key', properties: ['shareId'] },
  ],
  indexes: [
    { name: 'website_user_id_idx', properties: ['userId'] },
    { name: 'website_team_id_idx', properties: ['teamId'] },
    { name: 'website_created_at_idx', properties: ['createdAt'] },
    { name: 'website_share_id_idx', properties: ['shareId'] },
    { name: 'website_created_by_idx', properties: ['createdBy'] },
  ],
});

export type Website = InferEntity<typeof WebsiteSchema>;
