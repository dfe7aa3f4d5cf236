// Test support (not published): the backend under test, a seeded PRNG, and a runner that applies
// the same function on the CPU reference and on WebGPU and compares the results. A missing adapter
// FAILS the tests unless ALLOW_NO_WEBGPU=1 (emscripten-core/emscripten#20034 is why).
import { CapabilityError, createCpuBackend, fromArray, isFloat, mul, sum, tidy, type AnyTypedArray, type Backend, type DType, type Tensor } from '@longshort/tensor';
import { expectClose, type Tolerance } from '@longshort/tensor/testing';
import { createWebGPUBackend, type WebGPUBackend, type WebGPUBackendOptions } from './backend.js';

/** The backend for a test file, or null (tests skip with a printed reason) when ALLOW_NO_WEBGPU=1. */
export async function backendForTests(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend | null> {
  try {
    return await createWebGPUBackend(options);
  } catch (error) {
    if (CapabilityError.isInstance(error) && error.code === 'NO_ADAPTER' && process.env.ALLOW_NO_WEBGPU === '1') {
      console.warn(`WebGPU tests skipped (ALLOW_NO_WEBGPU=1): ${error.message}`);
      return null;
    }
    throw error;
  }
}

/** The CPU reference backend the results are compared with. */
export const reference: Backend = createCpuBackend({ name: 'cpu-reference' });

/** A seeded PRNG (mulberry32): uniform numbers in [0, 1). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export interface InputSpec {
  readonly shape: readonly number[];
  readonly dtype?: DType;
  /** Values (default: uniform in [low, high) from the seed, integers for i32, 0/1 for bool). */
  readonly values?: readonly number[];
  readonly low?: number;
  readonly high?: number;
}

/** Host values for `spec`, drawn from `next`. */
export function valuesFor(spec: InputSpec, next: () => number): number[] {
  if (spec.values) return [...spec.values];
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.dtype ?? 'f32';
  const low = spec.low ?? -2;
  const high = spec.high ?? 2;
  return Array.from({ length: size }, () => {
    const u = next();
    if (dtype === 'bool') return u < 0.5 ? 0 : 1;
    if (dtype === 'i32') return Math.floor(low + u * (high - low + 1));
    return low + u * (high - low);
  });
}

export interface Compared {
  readonly gpu: AnyTypedArray;
  readonly cpu: AnyTypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * Runs `fn` on the same inputs on the CPU reference and on `gpu`, checks shapes and dtypes agree
 * and values are close, and returns both results.
 */
export async function compareWithReference(gpu: Backend, fn: (...inputs: Tensor[]) => Tensor, specs: readonly InputSpec[],
  options: Tolerance & { seed?: number } = {}): Promise<Compared> {
  const next = random(options.seed ?? 1);
  const values = specs.map((spec) => valuesFor(spec, next));
  const run = async (backend: Backend) => {
    const inputs = specs.map((spec, i) => fromArray(values[i], spec.shape, spec.dtype ?? 'f32', backend));
    try {
      const out = tidy(() => fn(...inputs));
      try {
        return { data: await out.data(), shape: out.shape, dtype: out.dtype };
      } finally {
        out.dispose();
      }
    } finally {
      for (const t of inputs) t.dispose();
    }
  };
  const expected = await run(reference);
  const got = await run(gpu);
  if (got.dtype !== expected.dtype || got.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`result mismatch: got ${got.dtype} (${got.shape.join(',')}), expected ${expected.dtype} (${expected.shape.join(',')})`);
  }
  expectClose(got.data, expected.data, { atol: options.atol ?? 1e-6, rtol: options.rtol ?? 1e-5 });
  return { gpu: got.data, cpu: expected.data, shape: got.shape, dtype: got.dtype };
}

/**
 * Checks the input gradients of sum(fn(inputs) · w) (w seeded random) on `gpu` against the CPU
 * reference, for every float input.
 */
export async function compareGradientsWithReference(gpu: Backend, fn: (...inputs: Tensor[]) => Tensor, specs: readonly InputSpec[],
  options: Tolerance & { seed?: number } = {}): Promise<void> {
  const next = random(options.seed ?? 2);
  const values = specs.map((spec) => valuesFor(spec, next));
  const run = async (backend: Backend) => {
    const inputs = specs.map((spec, i) => fromArray(values[i], spec.shape, spec.dtype ?? 'f32', backend));
    for (const t of inputs) if (isFloat(t.dtype)) t.requireGrad();
    try {
      tidy(() => {
        const out = fn(...inputs);
        const weights = random(99);
        const w = fromArray(Array.from({ length: out.size }, () => weights() * 2 - 1), out.shape, out.dtype, backend);
        sum(mul(out, w)).backward();
      });
      return await Promise.all(inputs.filter((t) => isFloat(t.dtype)).map(async (t) => (t.grad ? t.grad.data() : new Float32Array(t.size))));
    } finally {
      for (const t of inputs) t.dispose();
    }
  };
  const expected = await run(reference);
  const got = await run(gpu);
  got.forEach((g, i) => expectClose(g, expected[i], { atol: options.atol ?? 1e-5, rtol: options.rtol ?? 1e-4 }, `gradient of float input ${i}`));
}
