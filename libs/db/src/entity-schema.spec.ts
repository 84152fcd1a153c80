import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { withClient } from './connection';
import { CatalogItemSchema, MlModelSchema, UserProfileSchema, WebsiteSchema } from './entities';
import { runMigrations } from './migrator';
import { createOrm } from './orm';
import { createTestDatabase, type TestDatabase } from './testing';

/**
 * The entities describe the schema the SQL migrations build, exactly: the
 * schema generator, comparing entity metadata with the migrated database,
 * finds nothing to change. Its output is not filtered; the second block
 * proves the comparison does look at what the entities must mirror
 * (comments, checks, enumerations, partial indexes, FK rules).
 */
let db: TestDatabase;
let orm: MikroORM;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
  await runMigrations({ databaseUrl: db.url });
  orm = await createOrm(db.url, { pool: { min: 0, max: 2 } });
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

const diff = () => orm.schema.getUpdateSchemaSQL({ wrap: false });

describe('entities and migrations', () => {
  it('agree: the schema diff of a freshly migrated database is empty', async () => {
    expect(await diff()).toBe('');
  });

  it.each([
    ['a column comment', `COMMENT ON COLUMN recommendations.strategy IS 'changed'`, /comment on column "recommendations"."strategy"/],
    ['a table comment', `COMMENT ON TABLE catalog_items IS NULL`, /comment on table "catalog_items"/],
    ['an enumeration check', 'ALTER TABLE user_profiles DROP CONSTRAINT user_profiles_lifecycle_stage_check', /user_profiles_lifecycle_stage_check/],
    ['a plain check', 'ALTER TABLE ml_models DROP CONSTRAINT ml_models_artifact_sha256_check', /ml_models_artifact_sha256_check/],
    ['a partial unique index', 'DROP INDEX uq_ml_models_one_active', /create unique index "uq_ml_models_one_active"/],
    ['a unique constraint', 'ALTER TABLE user_profiles DROP CONSTRAINT user_profiles_website_id_user_id_key', /user_profiles_website_id_user_id_key/],
    [
      'an FK rule',
      'ALTER TABLE catalog_items DROP CONSTRAINT fk_catalog_items_website, ADD CONSTRAINT fk_catalog_items_website ' +
        'FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE SET NULL',
      /fk_catalog_items_website/,
    ],
  ])('notices when the database drifts: %s', async (_what, drift, expected) => {
    const drifted = await createTestDatabase();
    const driftedOrm = await createOrm(drifted.url, { pool: { min: 0, max: 1 } });
    try {
      await withClient(drifted.url, (c) => c.query(drift));
      expect(await driftedOrm.schema.getUpdateSchemaSQL({ wrap: false })).toMatch(expected);
    } finally {
      await driftedOrm.close(true);
      await drifted.drop();
    }
  });
});

describe('entities map rows both ways', () => {
  it('persists and loads every table through the ORM', async () => {
    const em = orm.em.fork();
    const websiteId = randomUUID();
    em.create(WebsiteSchema, { websiteId, name: 'Shop' });
    em.create(UserProfileSchema, {
      websiteId,
      userId: 'u-1',
      lifecycleStage: 'active',
      totalRevenue: '12.5000',
      favoriteCategories: ['books'],
    });
    em.create(MlModelSchema, {
      name: 'ranker',
      version: '1',
      websiteId: null,
      status: 'production',
      isActive: true,
      artifactSizeBytes: 1234,
      artifactSha256: 'ab'.repeat(32),
      featureNames: ['user.session_count'],
    });
    em.create(CatalogItemSchema, { websiteId, itemId: 'sku-1', price: '9.9900', tags: ['new'] });
    await em.flush();

    const read = orm.em.fork();
    const profile = await read.findOneOrFail(UserProfileSchema, { websiteId, userId: 'u-1' });
    expect(profile).toMatchObject({ lifecycleStage: 'active', totalRevenue: '12.5000', favoriteCategories: ['books'], sessionCount: 0 });
    expect(profile.createdAt).toBeInstanceOf(Date);
    const model = await read.findOneOrFail(MlModelSchema, { name: 'ranker', isActive: true });
    expect(model).toMatchObject({ artifactSizeBytes: 1234, featureNames: ['user.session_count'], websiteId: null });
    const item = await read.findOneOrFail(CatalogItemSchema, { websiteId, itemId: 'sku-1' });
    expect(item).toMatchObject({ price: '9.9900', inStock: true, tags: ['new'] });
  });
});
