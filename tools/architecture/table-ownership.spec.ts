import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findOwnershipViolations } from './table-ownership';

function writeTree(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

describe('table ownership', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'owners-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("finds an app reading or writing another app's table, and lets everyone read website", () => {
    writeTree(root, {
      'apps/profile-service/src/erase.ts': "q('DELETE FROM recommendations WHERE user_id = $1');\nq(`SELECT price FROM catalog_items`);\n",
      'apps/profile-service/src/own.ts': "q('UPDATE user_profiles SET x = 1 FROM website w');\n",
      'apps/ranking-service/src/ok.ts': "q('SELECT 1 FROM website WHERE website_id = $1');\nq('INSERT INTO recommendations (id) VALUES ($1)');\n",
      'apps/ranking-service/src/bad.ts': "q('INSERT INTO website (website_id) VALUES ($1)');\nq('SELECT 1 FROM ml_models m JOIN user_profiles p ON true');\n",
      'apps/ranking-service/src/words.spec.ts': "q('DELETE FROM user_profiles');\n",
      'apps/ranking-service/src/comment.ts': '// removes rows from recommendations and catalog_items of a website\n',
    });
    const found = findOwnershipViolations(root).map((v) => `${v.file} ${v.table}: ${v.rule}`).sort();
    expect(found).toEqual([
      'apps/profile-service/src/erase.ts catalog_items: profile-service reads catalog_items, which ranking-service owns; ask ranking-service through its contract',
      'apps/profile-service/src/erase.ts recommendations: profile-service writes recommendations, which ranking-service owns; ask ranking-service through its contract',
      'apps/ranking-service/src/bad.ts ml_models: ranking-service reads ml_models, which registry-service owns; ask registry-service through its contract',
      'apps/ranking-service/src/bad.ts user_profiles: ranking-service reads user_profiles, which profile-service owns; ask profile-service through its contract',
      'apps/ranking-service/src/bad.ts website: ranking-service writes website, which profile-service owns; ask profile-service through its contract',
    ]);
  });

  it('lets the offline jobs read their sources, and only read them', () => {
    writeTree(root, {
      'apps/cli/src/commands/training-data.ts': "q('SELECT * FROM interactions');\nq('SELECT * FROM catalog_items');\nq('SELECT * FROM user_profiles');\nq('DELETE FROM interactions');\n",
    });
    const found = findOwnershipViolations(root).map((v) => `${v.table}: ${v.rule}`).sort();
    expect(found).toEqual([
      'interactions: cli writes interactions, which profile-service owns; ask profile-service through its contract',
      'user_profiles: cli reads user_profiles, which profile-service owns; ask profile-service through its contract',
    ]);
  });

  it('holds for this repository', () => {
    expect(findOwnershipViolations(resolve(__dirname, '../..'))).toEqual([]);
  });
});
