// The fused GELU (exact and tanh forms) against the CPU reference and a float64 loop: random
// shapes of odd sizes, strided views, large |x| (no overflow, no cancellation for negative x),
// ±∞ and NaN, gradients through the composite's rule; always on the GPU kernel (no CPU fallback).
import { cast, erf, fromArray, gelu, permute, slice, tidy } from '@longshort/tensor';
import { expectClose } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { backendForTests, compareGradientsWithReference, compareWithReference } from '../../test-support.js';

const backend = await backendForTests();

/** erf in float64: its Maclaurin series below 3, 1 − erfc (continued fraction) beyond. */
function erfc64(x: number): number {
  if (x < 0) return 2 - erfc64(-x);
  if (x < 3) {
    let term = x;
    let total = x;
    for (let n = 1; n < 100; n++) {
      term *= (-x * x) / n;
      total += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * total;
  }
  let fraction = x;
  for (let k = 80; k >= 1; k--) fraction = x + k / 2 / fraction;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * fraction);
}

/** GELU in float64: x·Φ(x) with Φ(x) = ½·erfc(−x/√2), or the tanh form written without cancellation. */
function gelu64(x: number, approximate: 'none' | 'tanh'): number {
  if (approximate === 'tanh') return x / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  return 0.5 * x * erfc64(-x * Math.SQRT1_2);
}

describe.skipIf(!backend)('fused GELU on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => {
    expect(gpu.stats().fallbacks).toEqual({});
    gpu.dispose();
  });

  it.each(['none', 'tanh'] as const)('approximate %s matches the reference on odd shapes and views', async (approximate) => {
    for (const shape of [[1], [3], [257], [7, 13], [2, 3, 1025]]) {
      await compareWithReference(gpu, (x) => gelu(x, { approximate }), [{ shape, low: -6, high: 6 }], { seed: shape.length });
    }
    await compareWithReference(gpu, (x) => gelu(permute(x, [1, 0, 2]), { approximate }), [{ shape: [5, 6, 7] }]);
    await compareWithReference(gpu, (x) => gelu(slice(x, [1, 2]), { approximate }), [{ shape: [9, 11] }]);
  });

  it.each(['none', 'tanh'] as const)('approximate %s is within a few ulps of float64, also far in the negative tail', async (approximate) => {
    const values = Array.from({ length: 4001 }, (_, i) => -10 + i / 200);
    const x = fromArray(values, [values.length], 'f32', gpu);
    const y = gelu(x, { approximate });
    const got = await y.data();
    // The f32 argument (x/√2, or u of the tanh form) is rounded once: relative errors of about
    // x²·2⁻²⁴ (exact form) or 2|u|·2⁻²⁴ (tanh form) in the negative tail.
    const expected = Array.from(Float32Array.from(values), (v) => gelu64(v, approximate));
    expectClose(got, expected, { atol: 1e-37, rtol: approximate === 'tanh' ? 2e-5 : 8e-6 });
    const central = got.slice(1000, 3001);
    expectClose(central, expected.slice(1000, 3001), { atol: 1e-37, rtol: 3e-6 });
    x.dispose();
    y.dispose();
  });

  it('the erf it shares with the erf op is within 1e-6 relative of float64', async () => {
    const values = Array.from(Float32Array.from({ length: 2001 }, (_, i) => (i - 1000) / 200), (v) => v * Math.abs(v) / 5);
    const x = fromArray(values, [values.length], 'f32', gpu);
    const y = erf(x);
    expectClose(await y.data(), values.map((v) => 1 - erfc64(v)), { atol: 1e-37, rtol: 1e-6 });
    x.dispose();
    y.dispose();
  });

  it.each(['none', 'tanh'] as const)('approximate %s handles large |x|, ±∞ and NaN as the reference does', async (approximate) => {
    const values = [1e3, -1e3, 3e4, -3e4, 1e13, -1e13, 1e30, -1e30, Infinity, -Infinity, NaN, 0, -0, 1e-30, -1e-30];
    const { gpu: got } = await compareWithReference(gpu, (x) => gelu(x, { approximate }), [{ shape: [values.length], values }]);
    expect(Array.from(got.slice(0, 9))).toEqual([1e3, -0, 3e4, -0, Math.fround(1e13), -0, Math.fround(1e30), -0, Infinity]);
    expect(Number.isNaN(got[9]) && Number.isNaN(got[10])).toBe(true);
  });

  it('runs as one dispatch and backpropagates through the composite gradient rule', async () => {
    const x = fromArray([1, -2, 3], [3], 'f32', gpu);
    const before = gpu.stats().dispatches;
    const y = gelu(x);
    expect(gpu.stats().dispatches - before).toBe(1);
    await y.data();
    x.dispose();
    y.dispose();
    for (const approximate of ['none', 'tanh'] as const) {
      await compareGradientsWithReference(gpu, (t) => gelu(t, { approximate }), [{ shape: [4, 37], low: -4, high: 4 }]);
    }
  });

  it('f16 stores halves and computes in f32 (needs shader-f16)', async (context) => {
    if (!gpu.capabilities.dtypes.includes('f16')) {
      console.info("skipped: this adapter lacks 'shader-f16' (SwiftShader has none); the f16 GELU runs only where the feature exists");
      context.skip();
    }
    const values = [-3, -1, -0.5, 0, 0.5, 1, 3, 100];
    const x = fromArray(values, [values.length], 'f32', gpu);
    const halves = tidy(() => cast(gelu(cast(x, 'f16')), 'f32'));
    expectClose(await halves.data(), values.map((v) => gelu64(v, 'none')), { atol: 1e-3, rtol: 1e-3 });
    x.dispose();
    halves.dispose();
  });
});
