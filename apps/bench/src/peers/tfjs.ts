// Peers from TensorFlow.js 4.22 in Node: tfjs-backend-cpu (plain JS kernels) and tfjs-backend-wasm
// (XNNPACK). Both share tfjs-core's global engine, so a library selects its backend when it
// prepares operands and checks it is still selected on every run.
import { operandShapes, type MatmulLibrary } from '../library.js';

type Tfjs = typeof import('@tensorflow/tfjs-core');

async function loadCore(): Promise<Tfjs> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  // Production mode, as tfjs recommends for deployments: no debug checks (and no Node banner).
  tf.enableProdMode();
  return tf;
}

function tfjsLibrary(tf: Tfjs, backendName: 'cpu' | 'wasm', info: MatmulLibrary['info']): MatmulLibrary {
  return {
    name: `tfjs-${backendName}`,
    info,
    async prepare(operands) {
      if (!(await tf.setBackend(backendName))) throw new Error(`tfjs: backend '${backendName}' failed to initialise.`);
      const shapes = operandShapes(operands);
      const a = tf.tensor(operands.a, shapes.a, 'float32');
      const b = tf.tensor(operands.b, shapes.b, 'float32');
      return {
        async run() {
          if (tf.getBackend() !== backendName) throw new Error(`tfjs: expected backend '${backendName}', got '${tf.getBackend()}'.`);
          const product = tf.matMul(a, b);
          const values = await product.data<'float32'>();
          product.dispose();
          return values;
        },
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}

/**
 * tfjs-backend-cpu: plain JavaScript kernels on the calling thread.
 * @example const library = await loadTfjsCpu();
 */
export async function loadTfjsCpu(): Promise<MatmulLibrary> {
  const tf = await loadCore();
  if (!(await tf.setBackend('cpu'))) throw new Error("tfjs: backend 'cpu' failed to initialise.");
  return tfjsLibrary(tf, 'cpu', { threads: 1, version: tf.version_core, notes: 'JavaScript kernels on the main thread' });
}

/**
 * tfjs-backend-wasm: XNNPACK compiled to WebAssembly; records the thread count it reports and
 * whether it found SIMD and multithreading support (its threaded build needs both).
 * @example const library = await loadTfjsWasm();
 */
export async function loadTfjsWasm(): Promise<MatmulLibrary> {
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
