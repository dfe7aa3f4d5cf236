// Shared ESLint flat config: recommended TypeScript rules plus the layering rules of
// docs/ARCHITECTURE (tensor ← webgpu; tensor ← attention ← lm, vision; models never import webgpu).
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
  attention: ['@longshort/lm', '@longshort/vision'],
  lm: ['@longshort/webgpu', '@longshort/vision'],
  vision: ['@longshort/webgpu', '@longshort/lm'],
};

/** @param {keyof typeof forbidden | 'app'} layer */
export function config(layer) {
  const paths = (forbidden[layer] ?? []).map((name) => ({ name, message: `${layer} must not depend on ${name}.` }));
  return tseslint.config(
    { ignores: ['dist/**', 'node_modules/**', '**/*.js', '**/*.mjs'] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
      rules: {
        'no-restricted-imports': ['error', { paths, patterns: [noDeepImports] }],
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        '@typescript-eslint/no-non-null-assertion': 'off',
        'no-constant-condition': ['error', { checkLoops: false }],
      },
    },
  );
}
