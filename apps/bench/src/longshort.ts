// Our library under test: @longshort/tensor's matmul on the CPU backend, read back with data().
import { createCpuBackend, fromArray, matmul } from '@longshort/tensor';
import { operandShapes, type MatmulLibrary } from './library.js';

/**
 * longshort's CPU backend as a benchmarked library.
 * @example const library = createLongshortCpu(); const prepared = await library.prepare(operands);
 */
export function createLongshortCpu(): MatmulLibrary {
  const backend = createCpuBackend();
  const threads = backend.capabilities.info.threads;
  return {
    name: 'longshort-cpu',
    info: { threads: typeof threads === 'number' ? threads : 1, notes: `kind: ${String(backend.capabilities.info.kind)}` },
    async prepare(operands) {
      const shapes = operandShapes(operands);
      const a = fromArray(operands.a, shapes.a, 'f32', backend);
      const b = fromArray(operands.b, shapes.b, 'f32', backend);
      return {
        async run() {
          const product = matmul(a, b);
          const values = await product.data();
          product.dispose();
          return values as Float32Array;
        },
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}
