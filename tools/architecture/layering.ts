import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The layering rules of the monorepo, checked from the source itself:
 *  - an app never imports another app, and a lib never imports an app
 *    (apps are deployables; nothing may depend on one);
 *  - a relative import never leaves its own project (cross-project code goes
 *    through the package name, so the dependency is visible and declared);
 *  - every `@recsys/*` import is declared in the importer's package.json, so
 *    Nx's project graph and each app's deployable dependency set are true;
 *  - libs form no cycle;
 *  - tools (benchmarks, the dev runner, build and test scripts) use apps only
 *    through their front door — processes, gRPC, SQL — never by importing an
 *    app's source (a path into apps/ or an app's package).
 */
export interface Project {
  name: string;
  kind: 'app' | 'lib';
  dir: string;
  declared: Set<string>;
}

export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

export function findProjects(root: string): Project[] {
  const projects: Project[] = [];
  for (const kind of ['app', 'lib'] as const) {
    const parent = join(root, `${kind}s`);
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent)) {
      const pkgPath = join(parent, entry, 'package.json');
      if (!existsSync(pkgPath)) continue;
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
      projects.push({ name: pkg.name, kind, dir: join(parent, entry), declared: new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) });
    }
  }
  return projects;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs|cjs)$/.test(entry)) out.push(path);
  }
  return out;
}

export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]).filter((s): s is string => !!s);
}

export function findLayeringViolations(root: string): Violation[] {
  const projects = findProjects(root);
  const byName = new Map(projects.map((p) => [p.name, p]));
  const violations: Violation[] = [];
  const libEdges = new Map<string, Set<string>>();

  for (const project of projects) {
    // Code lives in src/ and test/; root config files (jest.config.js) may reach the workspace preset.
    const files = ['src', 'test'].map((d) => join(project.dir, d)).filter(existsSync).flatMap(sourceFiles);
    for (const file of files) {
      const rel = relative(root, file);
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (target !== project.dir && !target.startsWith(project.dir + sep)) {
            violations.push({ file: rel, specifier, rule: `relative import leaves ${project.name}; import the package instead` });
          }
          continue;
        }
        const pkgName = specifier.split('/').slice(0, 2).join('/');
        const target = byName.get(pkgName);
        if (!target || target === project) continue;
        if (target.kind === 'app') {
          violations.push({ file: rel, specifier, rule: `${project.kind} ${project.name} imports app ${target.name}; apps are deployables, share code through a lib` });
        } else if (!project.declared.has(target.name)) {
          violations.push({ file: rel, specifier, rule: `${target.name} is not declared in ${relative(root, project.dir)}/package.json dependencies` });
        }
        if (project.kind === 'lib' && target.kind === 'lib') {
          if (!libEdges.has(project.name)) libEdges.set(project.name, new Set());
          libEdges.get(project.name)!.add(target.name);
        }
      }
    }
  }
  const appDirs = projects.filter((p) => p.kind === 'app').map((p) => p.dir);
  const toolsDir = join(root, 'tools');
  for (const file of existsSync(toolsDir) ? sourceFiles(toolsDir) : []) {
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const target = specifier.startsWith('.') ? resolve(dirname(file), specifier) : undefined;
      const app = target ? appDirs.find((d) => target === d || target.startsWith(d + sep)) : byName.get(specifier.split('/').slice(0, 2).join('/'))?.kind === 'app';
      if (app) violations.push({ file: relative(root, file), specifier, rule: 'tools use apps only through the front door (processes, gRPC, SQL), never their source' });
    }
  }
  for (const cycle of findCycles(libEdges)) {
    violations.push({ file: '(libs)', specifier: cycle.join(' -> '), rule: 'libs depend on each other in a cycle' });
  }
  return violations;
}

function findCycles(edges: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, 'visiting');
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of edges.keys()) visit(node, []);
  return cycles;
}
