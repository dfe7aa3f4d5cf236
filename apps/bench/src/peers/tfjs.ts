// Peers from TensorFlow.js 4.22 in Node: tfjs-backend-cpu (plain JS kernels), tfjs-backend-wasm
// (XNNPACK) and tfjs-backend-webgpu (on Dawn's navigator.gpu, see ../webgpu-setup.ts). They share
// tfjs-core's global engine, so a library selects its backend when it prepares operands and
// checks it is still selected on every run.
import { packageVersion } from './version.js';
import { operandShapes, type InProcessMatmulLibrary, type OpLibrary, type OpOperands } from '../library.js';

type Tfjs = typeof import('@tensorflow/tfjs-core');

async function loadCore(): Promise<Tfjs> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  // Production mode, as tfjs recommends for deployments: no debug checks (and no Node banner).
  tf.enableProdMode();
  return tf;
}

type Tensor = import('@tensorflow/tfjs-core').Tensor;

/** The input tensors of `operands` and the op on them (tfjs has no layerNorm op: moments + batchNorm, as tf.layers does). */
function tfjsOp(tf: Tfjs, operands: OpOperands): { inputs: Tensor[]; apply: (...inputs: Tensor[]) => Tensor } {
  if (operands.op === 'matmul') {
    const shapes = operandShapes(operands);
    return { inputs: [tf.tensor(operands.a, shapes.a, 'float32'), tf.tensor(operands.b, shapes.b, 'float32')], apply: (a, b) => tf.matMul(a, b) };
  }
  const x = tf.tensor(operands.x, [operands.rows, operands.cols], 'float32');
  if (operands.op === 'softmax') return { inputs: [x], apply: (t) => tf.softmax(t) };
  const { eps } = operands;
  return {
    // NOTE: batchNorm wants gamma and beta of the same rank as the (rows, 1) moments: (1, cols).
    inputs: [x, tf.tensor(operands.gamma, [1, operands.cols], 'float32'), tf.tensor(operands.beta, [1, operands.cols], 'float32')],
    apply: (t, gamma, beta) => {
      const { mean, variance } = tf.moments(t, -1, true);
      return tf.batchNorm(t, mean, variance, beta, gamma, eps);
    },
  };
}

function tfjsLibrary(tf: Tfjs, backendName: 'cpu' | 'wasm' | 'webgpu', info: OpLibrary['info']): OpLibrary & InProcessMatmulLibrary {
  return {
    name: `tfjs-${backendName}`,
    info,
    async prepare(operands) {
      if (!(await tf.setBackend(backendName))) throw new Error(`tfjs: backend '${backendName}' failed to initialise.`);
      const { inputs, apply } = tfjsOp(tf, 'op' in operands ? operands : { op: 'matmul', ...operands });
      return {
        async run() {
          if (tf.getBackend() !== backendName) throw new Error(`tfjs: expected backend '${backendName}', got '${tf.getBackend()}'.`);
          const result = tf.tidy(() => apply(...inputs));
          const values = await result.data<'float32'>();
          result.dispose();
          return values;
        },
        dispose() {
          for (const t of inputs) t.dispose();
        },
      };
    },
  };
}

/**
 * tfjs-backend-cpu: plain JavaScript kernels on the calling thread.
 * @example const library = await loadTfjsCpu();
 */
export async function loadTfjsCpu(): Promise<InProcessMatmulLibrary> {
  const tf = await loadCore();
  if (!(await tf.setBackend('cpu'))) throw new Error("tfjs: backend 'cpu' failed to initialise.");
  return tfjsLibrary(tf, 'cpu', { threads: 1, version: tf.version_core, notes: 'JavaScript kernels on the main thread' });
}

/**
 * tfjs-backend-wasm: XNNPACK compiled to WebAssembly; records the thread count it reports and
 * whether it found SIMD and multithreading support (its threaded build needs both).
 * @example const library = await loadTfjsWasm();
 */
export async function loadTfjsWasm(): Promise<InProcessMatmulLibrary> {
  const tf = await loadCore();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error("tfjs: backend 'wasm' failed to initialise.");
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return tfjsLibrary(tf, 'wasm', {
    threads: wasm.getThreadsCount(),
    version: wasm.version_wasm,
    notes: `simd: ${String(simd)}, multithread support: ${String(multithread)}`,
  });
}

/**
 * tfjs-backend-webgpu on `navigator.gpu` (installWebGPU must have run): it requests its own
 * device from the same adapter. Records the adapter it reports.
 * @example await installWebGPU({ software: true }); const library = await loadTfjsWebGPU();
 */
export async function loadTfjsWebGPU(): Promise<OpLibrary> {
  const tf = await loadCore();
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error("tfjs: backend 'webgpu' failed to initialise.");
  const { adapterInfo } = tf.backend() as unknown as { adapterInfo: { vendor?: string; architecture?: string } };
  return tfjsLibrary(tf, 'webgpu', {
    threads: 1,
    version: packageVersion('@tensorflow/tfjs-backend-webgpu'),
    notes: `adapter: ${adapterInfo.vendor ?? '?'} ${adapterInfo.architecture ?? '?'}`,
  });
}
