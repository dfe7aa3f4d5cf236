// linkWgsl: joins WGSL pieces (a generated header, shared snippets, the kernel) into one module.
// It only concatenates; there is no preprocessor (architecture guide B.5).
import indexCheckWgsl from './index-check.wgsl';
import indexWgsl from './index.wgsl';
import numericsWgsl from './numerics.wgsl';

/** Shared snippets by name. @example linkWgsl(header, snippets.index, snippets.numerics, kernelWgsl) */
export const snippets = { index: indexWgsl, indexCheck: indexCheckWgsl, numerics: numericsWgsl } as const;

/**
 * One WGSL module from its parts, in order.
 * @example linkWgsl('alias X = f32;', snippets.index, unaryWgsl)
 */
export function linkWgsl(...parts: readonly string[]): string {
  return parts.join('\n');
}
