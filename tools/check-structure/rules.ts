// The repository conventions that tools/check-structure enforces (architecture guide B.3, B.10,
// rule 7): each package's skeleton and exports map, primitive ops vs CPU kernels, and imports that
// cross a package boundary only through public exports. Pure functions over file contents, so
// check.ts can feed them the real repository and the tests can feed them small fakes.
import { dirname, relative, resolve, sep } from 'node:path';

/** The source export condition, listed first in every condition block. */
export const sourceCondition = '@longshort/source';

/** Files every package has besides `package.json` (B.3). */
export const skeletonFiles = ['README.md', 'tsconfig.json', 'tsup.config.ts', 'vitest.config.ts', 'src/index.ts'] as const;

/** The fields of package.json that the checks read. */
export interface PackageJson {
  readonly name?: string;
  readonly private?: boolean;
  readonly type?: string;
  readonly sideEffects?: unknown;
  readonly exports?: unknown;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/**
 * Problems with a published package's skeleton and package.json; `exists(path)` answers for paths
 * relative to the package folder.
 * @example checkPackageSkeleton('packages/lm', pkg, (p) => existsSync(join('packages/lm', p)))
 */
export function checkPackageSkeleton(where: string, pkg: PackageJson, exists: (path: string) => boolean): string[] {
  const problems: string[] = [];
  for (const file of skeletonFiles) if (!exists(file)) problems.push(`${where}: missing ${file}`);
  if (pkg.type !== 'module') problems.push(`${where}/package.json: "type" must be "module"`);
  if (pkg.sideEffects !== false) problems.push(`${where}/package.json: "sideEffects" must be false`);
  const exportsMap = pkg.exports;
  if (typeof exportsMap !== 'object' || exportsMap === null || Array.isArray(exportsMap)) {
    problems.push(`${where}/package.json: "exports" must be an object of subpaths`);
    return problems;
  }
  const entries = Object.entries(exportsMap as Record<string, unknown>);
  if (!entries.some(([subpath]) => subpath === '.')) problems.push(`${where}/package.json: "exports" has no "." entry`);
  if (!entries.some(([subpath]) => subpath === './package.json')) problems.push(`${where}/package.json: "exports" has no "./package.json" entry`);
  for (const [subpath, target] of entries) {
    if (subpath === './package.json') continue;
    const at = `${where}/package.json: exports["${subpath}"]`;
    if (typeof target !== 'object' || target === null) {
      problems.push(`${at} must be a condition block { "${sourceCondition}", "types", "import" }`);
      continue;
    }
    const conditions = Object.entries(target as Record<string, unknown>);
    if (conditions[0]?.[0] !== sourceCondition) {
      problems.push(`${at}: the first condition must be "${sourceCondition}", got "${conditions[0]?.[0] ?? 'none'}"`);
      continue;
    }
    const source = conditions[0][1];
    if (typeof source !== 'string' || !/^\.\/src\/.+\.ts$/.test(source)) problems.push(`${at}: "${sourceCondition}" must point at ./src/*.ts, got ${JSON.stringify(source)}`);
    else if (!exists(source.slice(2))) problems.push(`${at}: "${sourceCondition}" points at ${source}, which does not exist`);
    const order = conditions.map(([name]) => name).join(', ');
    if (order !== `${sourceCondition}, types, import`) problems.push(`${at}: conditions must be "${sourceCondition}", "types", "import" in that order, got ${order}`);
  }
  return problems;
}

/**
 * Problems between the primitive-op manifest and the CPU kernel table: every primitive has a
 * kernel, every kernel has a primitive, and each op's definition carries its manifest key as name.
 * @example checkOpManifests(primitiveOps, cpuKernels) // [] when they agree
 */
export function checkOpManifests(primitives: Readonly<Record<string, { readonly name: string }>>, cpuKernels: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [key, def] of Object.entries(primitives)) {
    if (!(key in cpuKernels)) problems.push(`ops/manifest.ts: primitive op '${key}' has no CPU kernel in backends/cpu/manifest.ts`);
    if (def.name !== key) problems.push(`ops/manifest.ts: key '${key}' holds the op named '${def.name}'`);
  }
  for (const key of Object.keys(cpuKernels)) {
    if (!(key in primitives)) problems.push(`backends/cpu/manifest.ts: kernel '${key}' is not a primitive op in ops/manifest.ts`);
  }
  return problems;
}

/** One import or re-export specifier found in a source file. */
export interface ImportSite {
  readonly specifier: string;
  /** 1-based line. */
  readonly line: number;
}

const importPatterns = [
  /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/**
 * The module specifiers a TypeScript file imports or re-exports (static, side-effect and dynamic
 * imports with a literal specifier).
 * @example findImports("import { a } from './a.js';") // [{ specifier: './a.js', line: 1 }]
 */
export function findImports(source: string): ImportSite[] {
  const sites: ImportSite[] = [];
  for (const pattern of importPatterns) {
    for (const match of source.matchAll(pattern)) {
      sites.push({ specifier: match[1], line: source.slice(0, match.index).split('\n').length });
    }
  }
  return sites.sort((a, b) => a.line - b.line);
}

/** A workspace package as the import check sees it. */
export interface WorkspacePackage {
  /** Absolute folder. */
  readonly dir: string;
  readonly json: PackageJson;
}

/**
 * Problems with the imports of one source file of package `owner`: a relative import must stay
 * inside the package; a `@longshort/*` import must name an `exports` subpath of a package that
 * `owner` declares as a dependency (so `@longshort/x/src/…` and `@longshort/x/dist/…` fail).
 * @example checkImports(file, source, owner, packagesByName) // [] for a clean file
 */
export function checkImports(file: string, source: string, owner: WorkspacePackage, packages: ReadonlyMap<string, WorkspacePackage>, root: string): string[] {
  const problems: string[] = [];
  const at = (line: number) => `${relative(root, file)}:${line}`;
  const declared = { ...owner.json.dependencies, ...owner.json.peerDependencies, ...owner.json.devDependencies };
  for (const { specifier, line } of findImports(source)) {
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      if (target !== owner.dir && !target.startsWith(owner.dir + sep)) {
        problems.push(`${at(line)}: '${specifier}' reaches outside ${relative(root, owner.dir)}; import other packages by name, through their exports`);
      }
      continue;
    }
    const match = /^(@longshort\/[^/]+)(\/.*)?$/.exec(specifier);
    if (!match) continue;
    const [, name, rest] = match;
    const target = packages.get(name);
    if (!target) {
      problems.push(`${at(line)}: '${specifier}' names no workspace package`);
      continue;
    }
    if (name === owner.json.name) {
      problems.push(`${at(line)}: '${specifier}' imports the package itself by name; use a relative import`);
      continue;
    }
    if (!(name in declared)) problems.push(`${at(line)}: '${specifier}' is not declared in ${relative(root, owner.dir)}/package.json`);
    const subpath = `.${rest ?? ''}`;
    const exportsMap = (target.json.exports ?? {}) as Record<string, unknown>;
    if (!(subpath in exportsMap)) {
      problems.push(`${at(line)}: '${specifier}' is not a public entry point of ${name} (exports: ${Object.keys(exportsMap).join(', ')})`);
    }
  }
  return problems;
}
