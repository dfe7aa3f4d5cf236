// Peer: jax-js 0.1.25 on its `wasm` device in Node (optional dependency). jax-js reads `navigator`
// when it initialises, which Node 20 lacks, so a minimal one is defined first (toolchain.md).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { operandShapes, type MatmulLibrary } from '../library.js';

/**
 * jax-js's wasm device as a benchmarked library; throws when the package or device is unavailable.
 * @example const library = await loadJaxWasm();
 */
export async function loadJaxWasm(): Promise<MatmulLibrary> {
  if (typeof globalThis.navigator === 'undefined') {
    Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'node', hardwareConcurrency: os.cpus().length }, configurable: true });
  }
  const jax = await import('@jax-js/jax');
  const devices = await jax.init('wasm');
  if (!devices.includes('wasm')) throw new Error(`jax-js: the wasm device did not initialise; expected 'wasm' among devices, got [${devices.join(', ')}].`);
  // NOTE: jax-js spreads wasm kernels over a worker pool only where SharedArrayBuffer and a global
  // Web `Worker` exist (its createWorkerPool); Node has no global Worker, so it runs on one thread.
  const hasWorkerPool = typeof SharedArrayBuffer !== 'undefined' && typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined';
  const threads = hasWorkerPool ? navigator.hardwareConcurrency : 1;
  const np = jax.numpy;
  const entry = fileURLToPath(import.meta.resolve('@jax-js/jax')); // …/dist/index.js
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return {
    name: 'jax-wasm',
    info: { threads, version, notes: hasWorkerPool ? 'worker pool' : 'no global Worker: main thread only' },
    async prepare(operands) {
      const shapes = operandShapes(operands);
      const a = np.array(operands.a, { shape: shapes.a, dtype: jax.DType.Float32, device: 'wasm' });
      const b = np.array(operands.b, { shape: shapes.b, dtype: jax.DType.Float32, device: 'wasm' });
      return {
        // NOTE: jax-js arguments are consumed (move semantics): `.ref` keeps a and b alive, and
        // data() releases the product.
        async run() {
          return (await np.matmul(a.ref, b.ref).data()) as Float32Array;
        },
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}
