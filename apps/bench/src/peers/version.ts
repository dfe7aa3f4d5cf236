// The installed version of a peer package, read from its package.json next to its entry point
// (some peers export no version constant).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version of `specifier`, whose entry point lies in `<package>/dist/`.
 * @example packageVersion('@jax-js/jax') // '0.1.25'
 */
export function packageVersion(specifier: string): string {
  const entry = fileURLToPath(import.meta.resolve(specifier)); // …/dist/<entry>.js
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}
