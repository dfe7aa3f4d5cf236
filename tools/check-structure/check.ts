// `pnpm check:structure`: checks the repository conventions of rules.ts on the real tree: every
// package's skeleton and exports map, every primitive op against the CPU kernel table, and every
// import in packages/*/src and apps/*/src. Prints each problem, or one OK line; exit 1 on problems.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// NOTE: a repository tool, not a package: it reads the two manifests directly (they are not public
// exports) to compare their keys.
import { cpuKernels } from '../../packages/tensor/src/backends/cpu/manifest.js';
import { primitiveOps } from '../../packages/tensor/src/ops/manifest.js';
import { checkImports, checkOpManifests, checkPackageSkeleton, type PackageJson, type WorkspacePackage } from './rules.js';

const root = join(import.meta.dirname, '..', '..');

function readJson(file: string): PackageJson {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
}

function workspaceDirs(group: 'packages' | 'apps'): string[] {
  const base = join(root, group);
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => join(base, d.name));
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.split(/[\\/]/).includes('node_modules'))
    .map((f) => join(dir, f));
}

const published = workspaceDirs('packages').map((dir) => ({ dir, json: readJson(join(dir, 'package.json')) }));
const apps = workspaceDirs('apps').map((dir) => ({ dir, json: readJson(join(dir, 'package.json')) }));
const byName = new Map<string, WorkspacePackage>([...published, ...apps].map((p) => [p.json.name ?? p.dir, p]));

const problems: string[] = [];
for (const pkg of published) {
  const where = pkg.dir.slice(root.length + 1);
  problems.push(...checkPackageSkeleton(where, pkg.json, (path) => existsSync(join(pkg.dir, path))));
}
for (const app of apps) {
  if (app.json.private !== true) problems.push(`${app.dir.slice(root.length + 1)}/package.json: apps must be "private": true`);
}
problems.push(...checkOpManifests(primitiveOps, cpuKernels));

let files = 0;
for (const pkg of [...published, ...apps]) {
  for (const file of sourceFiles(join(pkg.dir, 'src'))) {
    files++;
    problems.push(...checkImports(file, readFileSync(file, 'utf8'), pkg, byName, root));
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`check-structure: ${problems.length} problem(s)`);
  process.exitCode = 1;
} else {
  console.log(`check-structure: OK (${published.length} packages, ${apps.length} apps, ${Object.keys(primitiveOps).length} primitive ops with CPU kernels, imports of ${files} files)`);
}
