// Finite-difference gradient checks (float64, central differences) on the CPU reference: the
// analytic gradient of sum(f(inputs) · seed) from backward() must match
// (L(x + h) − L(x − h)) / 2h for every input element.
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import type { Backend } from '../backend/spec.js';
import { fromArray } from '../ops/creation/creation.js';
import { mul } from '../ops/binary/binary.js';
import { sum } from '../ops/reduce/reduce.js';
import { tidy } from '../scope.js';
import { noGrad } from '../tape/grad-mode.js';
import type { Tensor } from '../tensor.js';
import { compareClose, type Tolerance } from './expect-close.js';

export interface GradcheckOptions extends Tolerance {
  /** Step size (default 1e-6). */
  eps?: number;
  /** Which inputs to check (default all). */
  wrt?: number[];
  /** Seed for the random projection of the output (default 1). */
  seed?: number;
  /**
   * The float64 backend to run on (default: the plain reference, where fusable composites run
   * their decompositions; a backend with composite kernels checks the composites' own gradient rules).
   */
  backend?: Backend;
}

let sharedBackend: Backend | null = null;
/** A CPU reference backend for float64 checks (separate counters from the default one). */
export function gradcheckBackend(): Backend {
  sharedBackend ??= createCpuBackend({ name: 'cpu-f64', kernels: 'reference' });
  return sharedBackend;
}

let fastBackend: Backend | null = null;
/**
 * A fast CPU backend for float64 checks of fusable composites' own gradient rules: its composite
 * kernels (softmax, layerNorm, gelu, …) run float64 loops for f64, so the tape records the composite
 * as one node instead of its decomposition.
 * @example gradcheck((x) => softmax(x), inputs, { backend: compositeKernelBackend() });
 */
export function compositeKernelBackend(): Backend {
  fastBackend ??= createCpuBackend({ name: 'cpu-f64-kernels', threads: 1 });
  return fastBackend;
}

function projection(shape: readonly number[], size: number, seed: number, backend: Backend): Tensor {
  const values = new Float64Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = (s / 2 ** 32) * 2 - 1;
  }
  return fromArray(values, shape, 'f64', backend);
}

/**
 * Checks the gradients of `fn` at `inputs` (float64 host arrays with shapes).
 * Returns nothing; throws with a readable report on mismatch.
 * @example gradcheck((x) => exp(x), [{ values: [0.1, 0.2], shape: [2] }]);
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: { values: ArrayLike<number>; shape: readonly number[]; dtype?: 'f64' | 'i32' | 'bool' }[],
  options: GradcheckOptions = {},
): void {
  const backend = options.backend ?? gradcheckBackend();
  const eps = options.eps ?? 1e-6;
  const wrt = options.wrt ?? inputs.map((_, i) => i).filter((i) => (inputs[i].dtype ?? 'f64') === 'f64');
  const make = (values: ArrayLike<number>[]) => inputs.map((inp, i) => fromArray(values[i] as number[], inp.shape, inp.dtype ?? 'f64', backend));
  const base = inputs.map((inp) => Float64Array.from(inp.values));

  const loss = (values: Float64Array[]): number => tidy(() => noGrad(() => {
    const ts = make(values);
    const out = fn(...ts);
    const w = projection(out.shape, out.size, options.seed ?? 1, backend);
    return sum(mul(out, w)).dataSync()[0];
  }));

  const analytic = tidy(() => {
    const ts = make(base);
    for (const i of wrt) ts[i].requireGrad();
    const out = fn(...ts);
    const w = projection(out.shape, out.size, options.seed ?? 1, backend);
    sum(mul(out, w)).backward();
    return wrt.map((i) => (ts[i].grad ? Float64Array.from(ts[i].grad!.dataSync()) : new Float64Array(base[i].length)));
  });

  wrt.forEach((inputIndex, k) => {
    const numeric = new Float64Array(base[inputIndex].length);
    for (let j = 0; j < numeric.length; j++) {
      const original = base[inputIndex][j];
      base[inputIndex][j] = original + eps;
      const plus = loss(base);
      base[inputIndex][j] = original - eps;
      const minus = loss(base);
      base[inputIndex][j] = original;
      numeric[j] = (plus - minus) / (2 * eps);
    }
    const report = compareClose(analytic[k], numeric, { atol: options.atol ?? 1e-5, rtol: options.rtol ?? 1e-4 });
    if (!report.ok) throw new Error(`gradcheck: input ${inputIndex}: analytic vs numeric gradient: ${report.message}`);
  });
}
