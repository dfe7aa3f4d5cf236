// Peer: jax-js 0.1.25 in Node (optional dependency), on its `wasm` device (matmul suite) or its
// `webgpu` device (WebGPU suite, on Dawn's navigator.gpu: ../webgpu-setup.ts). jax-js reads
// `navigator` when it initialises, which Node 20 lacks, so a minimal one is defined first
// (toolchain.md).
import os from 'node:os';
import { operandShapes, type InProcessMatmulLibrary, type OpLibrary, type OpOperands, type PreparedRun } from '../library.js';
import { packageVersion } from './version.js';

type Jax = typeof import('@jax-js/jax');
type JaxArray = import('@jax-js/jax').Array;

async function initJax(device: 'wasm' | 'webgpu'): Promise<Jax> {
  if (typeof globalThis.navigator === 'undefined') {
    Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'node', hardwareConcurrency: os.cpus().length }, configurable: true });
  }
  const jax = await import('@jax-js/jax');
  const devices = await jax.init(device);
  if (!devices.includes(device)) throw new Error(`jax-js: the ${device} device did not initialise; expected '${device}' among devices, got [${devices.join(', ')}].`);
  return jax;
}

/** The inputs of `operands` on `device` and the op on them (layerNorm: nn.standardize · gamma + beta). */
function jaxOp(jax: Jax, device: 'wasm' | 'webgpu', operands: OpOperands): { inputs: JaxArray[]; apply: (...inputs: JaxArray[]) => JaxArray } {
  const np = jax.numpy;
  const array = (values: Float32Array, shape: number[]) => np.array(values, { shape, dtype: jax.DType.Float32, device });
  if (operands.op === 'matmul') {
    const shapes = operandShapes(operands);
    return { inputs: [array(operands.a, shapes.a), array(operands.b, shapes.b)], apply: (a, b) => np.matmul(a, b) };
  }
  const x = array(operands.x, [operands.rows, operands.cols]);
  if (operands.op === 'softmax') return { inputs: [x], apply: (t) => jax.nn.softmax(t, -1) };
  const { eps } = operands;
  return {
    inputs: [x, array(operands.gamma, [operands.cols]), array(operands.beta, [operands.cols])],
    apply: (t, gamma, beta) => np.add(np.multiply(jax.nn.standardize(t, -1, { epsilon: eps }), gamma), beta),
  };
}

function jaxLibrary(jax: Jax, device: 'wasm' | 'webgpu', info: OpLibrary['info']): OpLibrary & InProcessMatmulLibrary {
  return {
    name: `jax-${device}`,
    info,
    async prepare(operands): Promise<PreparedRun> {
      const { inputs, apply } = jaxOp(jax, device, 'op' in operands ? operands : { op: 'matmul', ...operands });
      return {
        // NOTE: jax-js arguments are consumed (move semantics): `.ref` keeps the inputs alive, and
        // data() releases the result.
        async run() {
          return (await apply(...inputs.map((t) => t.ref)).data()) as Float32Array;
        },
        dispose() {
          for (const t of inputs) t.dispose();
        },
      };
    },
  };
}

/**
 * jax-js's wasm device as a benchmarked library; throws when the package or device is unavailable.
 * @example const library = await loadJaxWasm();
 */
export async function loadJaxWasm(): Promise<InProcessMatmulLibrary> {
  const jax = await initJax('wasm');
  // NOTE: jax-js spreads wasm kernels over a worker pool only where SharedArrayBuffer and a global
  // Web `Worker` exist (its createWorkerPool); Node has no global Worker, so it runs on one thread.
  const hasWorkerPool = typeof SharedArrayBuffer !== 'undefined' && typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined';
  const threads = hasWorkerPool ? navigator.hardwareConcurrency : 1;
  return jaxLibrary(jax, 'wasm', { threads, version: packageVersion('@jax-js/jax'), notes: hasWorkerPool ? 'worker pool' : 'no global Worker: main thread only' });
}

/**
 * jax-js's webgpu device on `navigator.gpu` (installWebGPU must have run); eager ops, no jit.
 * @example await installWebGPU({ software: true }); const library = await loadJaxWebGPU();
 */
export async function loadJaxWebGPU(): Promise<OpLibrary> {
  const jax = await initJax('webgpu');
  return jaxLibrary(jax, 'webgpu', { threads: 1, version: packageVersion('@jax-js/jax'), notes: 'eager ops (no jit)' });
}
