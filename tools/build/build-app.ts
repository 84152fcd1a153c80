// `npm run build -- <app>` (or every app with no argument): bundles an app's
// src/main.ts and our workspace libs into dist/apps/<app>/main.js with
// esbuild, leaving third-party packages external, and writes a package.json
// listing exactly the third-party packages the bundle needs, pinned to the
// versions in the lockfile. The result deploys on its own:
//   cd dist/apps/<app> && npm install --omit=dev && node main.js
// Extra entry points (worker threads) are listed in the app's package.json
// under "recsys": { "workers": ["src/x.worker.ts"] } and built beside main.js.
// Node flags an app must be started with ("recsys": { "nodeFlags": [...] }, only
// flags V8 cannot take once running) go into the built package.json's start
// script: there, deploy with `npm start` (or `node <flags> main.js`).
import { build, type Metafile } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { appNodeFlags } from './app-node-flags';

const root = resolve(__dirname, '../..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const thirdParty = Object.keys({ ...rootPkg.dependencies, ...rootPkg.devDependencies });

export async function buildApp(app: string, outRoot = join(root, 'dist/apps')): Promise<string> {
  const appDir = join(root, 'apps', app);
  const appPkg = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'));
  const outDir = join(outRoot, app);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const entryPoints = [join(appDir, 'src/main.ts'), ...(appPkg.recsys?.workers ?? []).map((w: string) => join(appDir, w))];
  const result = await bundle(entryPoints, outDir);

  const used = usedPackages(result.metafile, thirdParty);
  const dependencies = Object.fromEntries(used.map((name) => [name, lock.packages[`node_modules/${name}`]?.version ?? rootPkg.dependencies?.[name]]));
  writeFileSync(
    join(outDir, 'package.json'),
    JSON.stringify(
      {
        name: `${appPkg.name}-dist`,
        private: true,
        main: 'main.js',
        scripts: { start: ['node', ...appNodeFlags(app), 'main.js'].join(' ') },
        dependencies,
        allowScripts: Object.fromEntries(Object.entries(rootPkg.allowScripts ?? {}).filter(([name]) => used.includes(name))),
      },
      null,
      2,
    ) + '\n',
  );
  // Migrations ship with every service: each applies them at start (MIGRATE_ON_START).
  mkdirSync(join(outDir, 'migrations'), { recursive: true });
  for (const file of readdirSync(join(root, 'migrations')).filter((f) => f.endsWith('.sql'))) {
    writeFileSync(join(outDir, 'migrations', file), readFileSync(join(root, 'migrations', file)));
  }
  return outDir;
}

/**
 * esbuild as the build runs it: our code bundled, third-party packages external
 * (native addons, packages that read their own files at run time, optional
 * dynamic requires stay in node_modules). Also used by the benchmarks, so their
 * baselines run compiled the same way as the services they are compared with.
 */
export function bundle(entryPoints: string[], outdir: string) {
  return build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    external: thirdParty.flatMap((name) => [name, `${name}/*`]),
  });
}

function usedPackages(metafile: Metafile, candidates: string[]): string[] {
  const imported = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) if (imp.external) imported.add(imp.path);
  }
  return candidates.filter((name) => [...imported].some((p) => p === name || p.startsWith(`${name}/`))).sort();
}

if (require.main === module) {
  const apps = process.argv.slice(2).length
    ? process.argv.slice(2)
    : readdirSync(join(root, 'apps')).filter((d) => existsSync(join(root, 'apps', d, 'src/main.ts')));
  (async () => {
    for (const app of apps) {
      const out = await buildApp(app);
      process.stdout.write(`built ${app} → ${out.replace(`${root}/`, '')}/main.js (${basename(out)})\n`);
    }
  })().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
