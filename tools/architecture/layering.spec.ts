import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findLayeringViolations, importsOf } from './layering';

function writeTree(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

const pkg = (name: string, deps: string[] = []) =>
  JSON.stringify({ name, dependencies: Object.fromEntries(deps.map((d) => [d, '*'])) });

describe('layering rules', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'layering-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds every kind of violation in a tree that breaks them', () => {
    writeTree(root, {
      'apps/a/package.json': pkg('@x/a', ['@x/b', '@x/kit']),
      'apps/a/src/main.ts': "import { thing } from '@x/b';\nimport { kit } from '@x/kit';\nimport { db } from '@x/db';\n",
      'apps/b/package.json': pkg('@x/b'),
      'apps/b/src/main.ts': "import '../../a/src/main';\nexport const thing = 1;\n",
      'libs/kit/package.json': pkg('@x/kit', ['@x/a', '@x/db']),
      'libs/kit/src/index.ts': "export { x } from '@x/a';\nconst d = require('@x/db');\n",
      'libs/db/package.json': pkg('@x/db', ['@x/kit']),
      'libs/db/src/index.ts': "const k = await import('@x/kit');\n",
      'tools/bench/b.ts': "import { x } from '../../apps/a/src/x';\nimport { y } from '@x/b/src/y';\nimport { kit } from '@x/kit';\n",
    });
    const found = findLayeringViolations(root).map((v) => `${v.file} ${v.specifier}: ${v.rule}`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^apps\/a\/src\/main.ts @x\/b: app @x\/a imports app @x\/b/),
        expect.stringMatching(/^apps\/a\/src\/main.ts @x\/db: @x\/db is not declared in apps\/a\/package.json/),
        expect.stringMatching(/^apps\/b\/src\/main.ts ..\/..\/a\/src\/main: relative import leaves @x\/b/),
        expect.stringMatching(/^libs\/kit\/src\/index.ts @x\/a: lib @x\/kit imports app @x\/a/),
        expect.stringMatching(/^\(libs\) @x\/(kit|db) -> @x\/(db|kit) -> @x\/(kit|db): libs depend on each other in a cycle/),
        expect.stringMatching(/^tools\/bench\/b.ts ..\/..\/apps\/a\/src\/x: tools use apps only through the front door/),
        expect.stringMatching(/^tools\/bench\/b.ts @x\/b\/src\/y: tools use apps only through the front door/),
      ]),
    );
    expect(found).toHaveLength(7);
  });

  it('accepts apps that import declared libs and libs that import libs', () => {
    writeTree(root, {
      'apps/a/package.json': pkg('@x/a', ['@x/kit']),
      'apps/a/src/main.ts': "import { kit } from '@x/kit';\nimport { local } from './local';\n",
      'apps/a/src/local.ts': 'export const local = 1;\n',
      'libs/kit/package.json': pkg('@x/kit', ['@x/db']),
      'libs/kit/src/index.ts': "import { db } from '@x/db/testing';\n",
      'libs/db/package.json': pkg('@x/db'),
      'libs/db/src/index.ts': 'export const db = 1;\n',
    });
    expect(findLayeringViolations(root)).toEqual([]);
  });

  it('reads every import form', () => {
    const source = [
      "import a from 'a';",
      "import { b } from 'b';",
      "import type { c } from 'c';",
      "export * from 'd';",
      "import 'e';",
      "const f = require('f');",
      "const g = await import('g');",
      'import {\n  h,\n  i,\n} from "h";',
    ].join('\n');
    expect(importsOf(source).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('holds for this repository', () => {
    expect(findLayeringViolations(resolve(__dirname, '../..'))).toEqual([]);
  });
});
