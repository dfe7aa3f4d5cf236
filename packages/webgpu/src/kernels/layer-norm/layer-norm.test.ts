// The fused layer norm against the CPU reference and a float64 loop: rows of 1 to 4097 elements,
// with and without weight and bias, several normalised axes, views, eps, constant rows, gradients
// through the composite's rule, and folded 2-D grids; always on the GPU kernel (no CPU fallback).
import { cast, fromArray, layerNorm, narrow, permute, reshape, tidy, type Tensor } from '@longshort/tensor';
import { expectClose } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebGPUBackend } from '../../backend.js';
import { backendForTests, compareGradientsWithReference, compareWithReference, random, valuesFor } from '../../test-support.js';

const backend = await backendForTests();

/** Layer norm of each row of `values` (rows of `length`) in float64, without affine terms. */
function layerNormRows(values: readonly number[], length: number, eps: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < values.length; r += length) {
    const row = values.slice(r, r + length);
    const mean = row.reduce((a, b) => a + b, 0) / length;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / length;
    out.push(...row.map((v) => (v - mean) / Math.sqrt(variance + eps)));
  }
  return out;
}

describe.skipIf(!backend)('fused layer norm on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => {
    expect(gpu.stats().fallbacks).toEqual({});
    gpu.dispose();
  });

  it.each([1, 3, 17, 257, 1025, 4097])('rows of %i elements match the reference and a float64 loop', async (n) => {
    const rows = n > 1000 ? 3 : 5;
    const spec = { shape: [rows, n], low: -3, high: 5 };
    const { gpu: got } = await compareWithReference(gpu, (x) => layerNorm(x), [spec], { seed: n, atol: 1e-5, rtol: 1e-4 });
    const values = valuesFor(spec, random(n)); // the inputs compareWithReference drew
    expectClose(got, layerNormRows(values, n, 1e-5), { atol: 1e-5, rtol: 1e-4 });
    await compareWithReference(gpu, (x, w, b) => layerNorm(x, w, b), [{ shape: [rows, n] }, { shape: [n] }, { shape: [n] }], { seed: n, atol: 1e-5, rtol: 1e-4 });
  });

  it('runs as one dispatch', async () => {
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], 'f32', gpu);
    const before = gpu.stats().dispatches;
    const y = layerNorm(x);
    expect(gpu.stats().dispatches - before).toBe(1);
    await y.data();
    x.dispose();
    y.dispose();
  });

  it('takes weight only, bias only, several normalised axes, views and eps', async () => {
    const tolerance = { atol: 1e-5, rtol: 1e-4 };
    await compareWithReference(gpu, (x, w) => layerNorm(x, w), [{ shape: [4, 7, 5] }, { shape: [5] }], tolerance);
    await compareWithReference(gpu, (x, b) => layerNorm(x, null, b), [{ shape: [4, 7, 5] }, { shape: [5] }], tolerance);
    await compareWithReference(gpu, (x, w, b) => layerNorm(x, w, b, { normalizedAxes: 2, eps: 1e-3 }), [{ shape: [3, 7, 5] }, { shape: [7, 5] }, { shape: [7, 5] }], tolerance);
    await compareWithReference(gpu, (x) => layerNorm(permute(x, [1, 0, 2]), null, null, { normalizedAxes: 3 }), [{ shape: [6, 2, 9] }], tolerance);
    // Row 1.. of x, row 3 of w and row 2 of b: contiguous views at offsets. (1, 6) → (6)
    const row = (t: Tensor, i: number) => reshape(narrow(t, 0, i, 1), [6]);
    await compareWithReference(gpu, (x, w, b) => layerNorm(narrow(x, 0, 1, 2), row(w, 3), row(b, 2)),
      [{ shape: [4, 6] }, { shape: [5, 6] }, { shape: [4, 6] }], tolerance);
  });

  it('maps a constant row to the bias (the variance is 0, eps keeps it finite)', async () => {
    const { gpu: got } = await compareWithReference(gpu, (x, w, b) => layerNorm(x, w, b), [{ shape: [2, 4], values: [3, 3, 3, 3, -1, -1, -1, -1] }, { shape: [4] }, { shape: [4], values: [1, 2, 3, 4] }]);
    expect(Array.from(got)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
  });

  it('backpropagates through the composite gradient rule', async () => {
    await compareGradientsWithReference(gpu, (x, w, b) => layerNorm(x, w, b), [{ shape: [3, 5, 33] }, { shape: [33] }, { shape: [33] }], { atol: 1e-4, rtol: 1e-3 });
  });

  it('folds grids beyond the workgroups per dimension and handles empty tensors', async () => {
    const small = await createWebGPUBackend({ flags: { maxWorkgroupsPerDimension: 4 } });
    try {
      await compareWithReference(small, (x) => layerNorm(x), [{ shape: [50, 3] }], { atol: 1e-5, rtol: 1e-4 });
      await compareWithReference(small, (x, w) => layerNorm(x, w), [{ shape: [9, 300] }, { shape: [300] }], { atol: 1e-5, rtol: 1e-4 });
      await compareWithReference(small, (x) => layerNorm(x), [{ shape: [0, 4] }]);
      expect(small.stats().fallbacks).toEqual({});
    } finally {
      small.dispose();
    }
  });

  it('f16 stores halves and computes statistics in f32 (needs shader-f16)', async (context) => {
    if (!gpu.capabilities.dtypes.includes('f16')) {
      console.info("skipped: this adapter lacks 'shader-f16' (SwiftShader has none); the f16 layer norm runs only where the feature exists");
      context.skip();
    }
    const values = Array.from({ length: 2 * 300 }, (_, i) => 1000 + (i % 7));
    const x = fromArray(values, [2, 300], 'f32', gpu);
    const halves = tidy(() => cast(layerNorm(cast(x, 'f16')), 'f32'));
    expectClose(await halves.data(), layerNormRows(values, 300, 1e-5), { atol: 1e-2, rtol: 1e-2 });
    x.dispose();
    halves.dispose();
  });
});
