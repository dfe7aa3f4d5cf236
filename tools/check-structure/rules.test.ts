// The structure rules on small fake packages: a clean package passes, and each broken convention
// (missing file, side effects, exports order, missing source file, kernel/op mismatch, deep or
// undeclared imports) is reported with its place.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImports, checkOpManifests, checkPackageSkeleton, findImports, type PackageJson, type WorkspacePackage } from './rules.js';

const goodJson: PackageJson = {
  name: '@longshort/demo',
  type: 'module',
  sideEffects: false,
  exports: {
    '.': { '@longshort/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' },
    './package.json': './package.json',
  },
  peerDependencies: { '@longshort/tensor': 'workspace:^' },
};
const allFiles = new Set(['README.md', 'tsconfig.json', 'tsup.config.ts', 'vitest.config.ts', 'src/index.ts']);

describe('checkPackageSkeleton', () => {
  it('accepts a complete package', () => {
    expect(checkPackageSkeleton('packages/demo', goodJson, (p) => allFiles.has(p))).toEqual([]);
  });

  it('reports missing files and a package with side effects', () => {
    const problems = checkPackageSkeleton('packages/demo', { ...goodJson, sideEffects: true }, (p) => p !== 'README.md' && allFiles.has(p));
    expect(problems).toEqual(['packages/demo: missing README.md', 'packages/demo/package.json: "sideEffects" must be false']);
  });

  it('requires the source condition first, pointing at an existing ./src/*.ts file', () => {
    const typesFirst = { ...goodJson, exports: { '.': { types: './dist/index.d.ts', '@longshort/source': './src/index.ts', import: './dist/index.js' }, './package.json': './package.json' } };
    expect(checkPackageSkeleton('p', typesFirst, (f) => allFiles.has(f))).toEqual(['p/package.json: exports["."]: the first condition must be "@longshort/source", got "types"']);
    const missingSource = { ...goodJson, exports: { ...(goodJson.exports as object), './testing': { '@longshort/source': './src/testing/index.ts', types: './dist/t.d.ts', import: './dist/t.js' } } };
    expect(checkPackageSkeleton('p', missingSource, (f) => allFiles.has(f))).toEqual(['p/package.json: exports["./testing"]: "@longshort/source" points at ./src/testing/index.ts, which does not exist']);
  });

  it('requires "." and "./package.json" entries', () => {
    expect(checkPackageSkeleton('p', { ...goodJson, exports: {} }, (f) => allFiles.has(f))).toEqual([
      'p/package.json: "exports" has no "." entry',
      'p/package.json: "exports" has no "./package.json" entry',
    ]);
  });
});

describe('checkOpManifests', () => {
  it('accepts matching tables and reports each mismatch', () => {
    expect(checkOpManifests({ add: { name: 'add' } }, { add: {} })).toEqual([]);
    expect(checkOpManifests({ add: { name: 'add' }, exp: { name: 'expo' } }, { exp: {}, relu: {} })).toEqual([
      "ops/manifest.ts: primitive op 'add' has no CPU kernel in backends/cpu/manifest.ts",
      "ops/manifest.ts: key 'exp' holds the op named 'expo'",
      "backends/cpu/manifest.ts: kernel 'relu' is not a primitive op in ops/manifest.ts",
    ]);
  });
});

describe('findImports', () => {
  it('finds static, type-only, re-export, side-effect and dynamic imports with their lines', () => {
    const source = ["import { a } from './a.js';", "import type { B } from '@longshort/tensor';", "export { c } from './c.js';", "import './wire.js';", 'const d = await import("./d.js");'].join('\n');
    expect(findImports(source)).toEqual([
      { specifier: './a.js', line: 1 },
      { specifier: '@longshort/tensor', line: 2 },
      { specifier: './c.js', line: 3 },
      { specifier: './wire.js', line: 4 },
      { specifier: './d.js', line: 5 },
    ]);
  });
});

describe('checkImports', () => {
  const root = '/repo';
  const tensor: WorkspacePackage = { dir: join(root, 'packages/tensor'), json: { name: '@longshort/tensor', exports: { '.': {}, './testing': {}, './package.json': './package.json' } } };
  const demo: WorkspacePackage = { dir: join(root, 'packages/demo'), json: goodJson };
  const packages = new Map([['@longshort/tensor', tensor], ['@longshort/demo', demo]]);
  const file = join(root, 'packages/demo/src/x/y.ts');

  it('accepts relative imports inside the package and public entry points of declared packages', () => {
    const source = "import { a } from '../a.js';\nimport { t } from '@longshort/tensor';\nimport { e } from '@longshort/tensor/testing';\nimport { readFileSync } from 'node:fs';";
    expect(checkImports(file, source, demo, packages, root)).toEqual([]);
  });

  it("reports another package's src/ or dist/ reached by path or by name", () => {
    const source = "import { a } from '../../../tensor/src/a.js';\nimport { b } from '@longshort/tensor/dist/index.js';";
    expect(checkImports(file, source, demo, packages, root)).toEqual([
      "packages/demo/src/x/y.ts:1: '../../../tensor/src/a.js' reaches outside packages/demo; import other packages by name, through their exports",
      "packages/demo/src/x/y.ts:2: '@longshort/tensor/dist/index.js' is not a public entry point of @longshort/tensor (exports: ., ./testing, ./package.json)",
    ]);
  });

  it('reports undeclared, unknown and self imports', () => {
    const undeclared = { ...demo, json: { ...goodJson, peerDependencies: {} } };
    const source = "import { t } from '@longshort/tensor';\nimport { u } from '@longshort/nope';\nimport { d } from '@longshort/demo';";
    expect(checkImports(file, source, undeclared, packages, root)).toEqual([
      "packages/demo/src/x/y.ts:1: '@longshort/tensor' is not declared in packages/demo/package.json",
      "packages/demo/src/x/y.ts:2: '@longshort/nope' names no workspace package",
      "packages/demo/src/x/y.ts:3: '@longshort/demo' imports the package itself by name; use a relative import",
    ]);
  });
});
