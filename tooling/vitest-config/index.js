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

/** Debian's Chromium, headless, with WebGPU (SwiftShader) and no outside network look-ups (docs/toolchain.md). */
export const chromiumLaunchOptions = {
  executablePath: '/usr/bin/chromium',
  args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost'],
};

/**
 * The browser test project preset: `*.browser.test.ts` in headless Chromium through Playwright
 * (`playwright` is `@vitest/browser-playwright`'s export, passed in so this package needs no
 * dependency on it), served cross-origin isolated (COOP + COEP) so SharedArrayBuffer exists.
 */
export function browserProject(playwright, overrides = {}) {
  return {
    plugins: [wgslText()],
    resolve: { conditions },
    server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
    test: {
      include: ['src/**/*.browser.test.ts'],
      testTimeout: 60_000,
      browser: { enabled: true, headless: true, screenshotFailures: false, provider: playwright({ launchOptions: chromiumLaunchOptions }), instances: [{ browser: 'chromium' }] },
      ...(overrides.test ?? {}),
    },
  };
}
