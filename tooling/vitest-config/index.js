// Shared vitest presets: tests run on package sources through the `@longshort/source`
// export condition (no build of dependencies first), and `.wgsl` files import as text.
import { readFileSync } from 'node:fs';

const conditions = ['@longshort/source', 'module', 'import', 'default'];

/** Imports `*.wgsl` files as strings, as tsup's `loader: { '.wgsl': 'text' }` does for builds. */
export function wgslText() {
  return {
    name: 'longshort-wgsl-text',
    transform(_code, id) {
      if (!id.endsWith('.wgsl')) return null;
      return { code: `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`, map: null };
    },
  };
}

/** The Node (CPU) test project preset. `overrides.test` is merged into the test options. */
export function nodeProject(overrides = {}) {
  return {
    plugins: [wgslText()],
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@longshort/source'] } },
    environments: { ssr: { resolve: { conditions } } },
    test: {
      include: ['src/**/*.test.ts'],
      exclude: ['src/**/*.gpu.test.ts', 'src/**/*.browser.test.ts'],
      testTimeout: 60_000,
      ...(overrides.test ?? {}),
    },
  };
}
