import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MIGRATIONS_DIR } from './migrator';

/**
 * migrations/002 must stay the seed schema byte for byte (DESIGN.md: "kept
 * verbatim"); every change to it belongs in a later migration.
 */
const SEED_SHA256 = '3d30ecfc177dc3b7d175cf9f8b202eb9c91dd505d70daf9d7c3018a9005aeb35';
const REPO_ROOT = path.resolve(__dirname, '../../..');
const MIGRATION = path.join(DEFAULT_MIGRATIONS_DIR, '002_recommendation_tables.sql');
// The shared seed sits next to the repository in the development layout only.
const SHARED_SEED = path.resolve(REPO_ROOT, '../shared/seed/recommendation_tables.sql');

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('002_recommendation_tables.sql', () => {
  it('has the pinned sha256 of the seed file', () => {
    expect(sha256(readFileSync(MIGRATION))).toBe(SEED_SHA256);
  });

  it('is byte-identical to ../shared/seed/recommendation_tables.sql when that file exists', () => {
    const migration = readFileSync(MIGRATION);
    if (!existsSync(SHARED_SEED)) {
      // Outside the development layout (CI checkout) the pinned hash above is the proof.
      expect(sha256(migration)).toBe(SEED_SHA256);
      return;
    }
    const seed = readFileSync(SHARED_SEED);
    expect(sha256(seed)).toBe(SEED_SHA256);
    expect(migration.equals(seed)).toBe(true);
  });

  it('resolves the default migrations dir to the repository root', () => {
    expect(DEFAULT_MIGRATIONS_DIR).toBe(path.join(REPO_ROOT, 'migrations'));
  });
});
