import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * The `website` table (migrations/001_umami_website.sql): only the columns
 * Recsys uses, which every Umami version has. In an Umami database Umami owns
 * the table and has more columns (which ones changes between its versions, so
 * nothing here may depend on them); without Umami, migration 001 creates it
 * with exactly these.
 */
export const WebsiteSchema = defineEntity({
  name: 'Website',
  tableName: 'website',
  comment: 'Created by Recsys (migration 001) because the database had no Umami website table',
  properties: (p) => ({
    websiteId: p.uuid().primary().fieldName('website_id'),
    name: p.string().length(100),
    domain: p.string().length(500).nullable(),
    createdAt: p.datetime(6).nullable().defaultRaw('CURRENT_TIMESTAMP').fieldName('created_at'),
    updatedAt: p.datetime(6).nullable().fieldName('updated_at'),
    deletedAt: p.datetime(6).nullable().fieldName('deleted_at'),
  }),
});

export type Website = InferEntity<typeof WebsiteSchema>;
