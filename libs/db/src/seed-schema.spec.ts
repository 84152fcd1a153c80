import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { describeTable } from '../test/introspect';
import { ML_MODELS, RECOMMENDATIONS, USER_PROFILES, WEBSITE } from '../test/seed-shapes';
import { DEFAULT_MIGRATIONS_DIR, runMigrations } from './migrator';
import { createTestDatabase, type TestDatabase } from './testing';

/**
 * Migrations 001 + 002 alone produce exactly what the seed SQL (and Umami's
 * `website`) declare: expectations in test/seed-shapes.ts.
 */
let db: TestDatabase;
let client: Client;
let tmpDir: string;

beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
  tmpDir = await mkdtemp(path.join(os.tmpdir(), 'recsys-seed-only-'));
  for (const file of ['001_umami_website.sql', '002_recommendation_tables.sql']) {
    await copyFile(path.join(DEFAULT_MIGRATIONS_DIR, file), path.join(tmpDir, file));
  }
  await runMigrations({ databaseUrl: db.url, migrationsDir: tmpDir });
  client = new Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
  await rm(tmpDir, { recursive: true, force: true });
});

describe('migrations 001-002 build exactly the declared schema', () => {
  it.each([
    ['website', WEBSITE],
    ['user_profiles', USER_PROFILES],
    ['recommendations', RECOMMENDATIONS],
    ['ml_models', ML_MODELS],
  ])('%s: columns (type, nullability, default), indexes, constraints, comments', async (table, expected) => {
    expect(await describeTable(client, table)).toEqual(expected);
  });
});

