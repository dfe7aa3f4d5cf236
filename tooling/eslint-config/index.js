// Shared ESLint flat config: recommended TypeScript rules plus the layering rules of
// ARCHITECTURE.md (tensor ← webgpu; tensor ← attention ← lm, vision; models never import webgpu;
// attention imports webgpu only in its ./webgpu subpath, src/webgpu/).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noDeepImports = {
  group: ['@longshort/*/src/*', '@longshort/*/dist/*', '../../*/src/*'],
  message: 'Import another package only through its public exports.',
};

/** Packages each layer must not import. */
const forbidden = {
  tensor: ['@longshort/webgpu', '@longshort/attention', '@longshort/lm', '@longshort/vision'],
  webgpu: ['@longshort/attention', '@longshort/lm', '@longshort/vision'],
  attention: ['@longshort/webgpu', '@longshort/lm', '@longshort/vision'],
  lm: ['@longshort/webgpu', '@longshort/vision'],
  vision: ['@longshort/webgpu', '@longshort/lm'],
};

/** Exceptions to `forbidden`: files (globs) of a layer that may import a package. */
const allowedIn = {
  attention: { '@longshort/webgpu': ['src/webgpu/**'] },
};

function restrictedImports(layer, names) {
  const paths = names.map((name) => ({ name, message: `${layer} must not depend on ${name}.` }));
  return ['error', { paths, patterns: [noDeepImports] }];
}

/** @param {keyof typeof forbidden | 'app'} layer */
export function config(layer) {
  const names = forbidden[layer] ?? [];
  const exceptions = Object.entries(allowedIn[layer] ?? {}).map(([name, files]) => ({
    files,
    rules: { 'no-restricted-imports': restrictedImports(layer, names.filter((n) => n !== name)) },
  }));
  return tseslint.config(
    { ignores: ['dist/**', 'node_modules/**', '**/*.js', '**/*.mjs'] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
      rules: {
        'no-restricted-imports': restrictedImports(layer, names),
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        '@typescript-eslint/no-non-null-assertion': 'off',
        'no-constant-condition': ['error', { checkLoops: false }],
      },
    },
    ...exceptions,
  );
}
