// Our libraries under test: @longshort/tensor on its CPU backend (matmul, at a chosen thread count)
// and on @longshort/webgpu (matmul, softmax, layerNorm), each result read back with data().
import { createCpuBackend, fromArray, layerNorm, matmul, softmax, type Backend, type Tensor } from '@longshort/tensor';
import type { WebGPUBackend } from '@longshort/webgpu';
import { operandShapes, type InProcessMatmulLibrary, type MatmulOperands, type OpLibrary, type OpOperands, type PreparedRun } from './library.js';

/** Uploads `inputs` to `backend`; `run` applies `fn` and reads the result back, freeing it. */
function prepareOn(backend: Backend, inputs: readonly { values: Float32Array; shape: number[] }[], fn: (...tensors: Tensor[]) => Tensor): PreparedRun {
  const tensors = inputs.map(({ values, shape }) => fromArray(values, shape, 'f32', backend));
  return {
    async run() {
      const result = fn(...tensors);
      const values = await result.data();
      result.dispose();
      return values as Float32Array;
    },
    dispose() {
      for (const t of tensors) t.dispose();
    },
  };
}

function prepareMatmul(backend: Backend, operands: MatmulOperands): PreparedRun {
  const shapes = operandShapes(operands);
  return prepareOn(backend, [{ values: operands.a, shape: shapes.a }, { values: operands.b, shape: shapes.b }], (a, b) => matmul(a, b));
}

/**
 * longshort's CPU backend as a benchmarked library: `threads` threads (default: the available
 * cores), named `longshort-cpu`, or `longshort-cpu-1t` on one thread.
 * @example const library = createLongshortCpu({ threads: 1 }); const prepared = await library.prepare(operands);
 */
export function createLongshortCpu(options: { threads?: number } = {}): InProcessMatmulLibrary {
  const backend = createCpuBackend(options.threads === undefined ? {} : { threads: options.threads });
  const threads = backend.capabilities.info.threads;
  return {
    name: options.threads === 1 ? 'longshort-cpu-1t' : 'longshort-cpu',
    info: { threads: typeof threads === 'number' ? threads : 1, notes: `kind: ${String(backend.capabilities.info.kind)}` },
    prepare: async (operands) => prepareMatmul(backend, operands),
  };
}

/**
 * longshort on a WebGPU backend as a library of the WebGPU suite (layerNorm and softmax as the
 * tensor package defines them: fused kernels where the backend has them, else their decomposition).
 * @example const library = createLongshortWebGPU(await createWebGPUBackend());
 */
export function createLongshortWebGPU(backend: WebGPUBackend): OpLibrary {
  const { adapterInfo, isSoftware } = backend.webgpu;
  return {
    name: 'longshort-webgpu',
    info: { threads: 1, notes: `adapter: ${adapterInfo.description || adapterInfo.device}${isSoftware ? ' (software)' : ''}` },
    async prepare(operands: OpOperands) {
      if (operands.op === 'matmul') return prepareMatmul(backend, operands);
      const x = { values: operands.x, shape: [operands.rows, operands.cols] };
      if (operands.op === 'softmax') return prepareOn(backend, [x], (t) => softmax(t, -1));
      const { eps } = operands;
      return prepareOn(backend, [x, { values: operands.gamma, shape: [operands.cols] }, { values: operands.beta, shape: [operands.cols] }],
        (t, gamma, beta) => layerNorm(t, gamma, beta, { eps }));
    },
  };
}
