// The fused softmax against the CPU reference and a float64 loop: rows of 1 to 4097 elements (one
// lane up to a whole workgroup per row), every axis of a rank-3 tensor, −∞ entries and all −∞ rows,
// NaN and +∞, views, gradients through the composite's rule, and folded 2-D grids; always on the
// GPU kernel (no CPU fallback).
import { cast, fromArray, narrow, permute, slice, softmax, tidy } from '@longshort/tensor';
import { expectClose } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebGPUBackend } from '../../backend.js';
import { backendForTests, compareGradientsWithReference, compareWithReference, random, valuesFor } from '../../test-support.js';

const backend = await backendForTests();

/** softmax of each row of `values` (rows of `length`) in float64, with the composite's conventions. */
function softmaxRows(values: readonly number[], length: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < values.length; r += length) {
    const row = values.slice(r, r + length);
    const top = Math.max(...row);
    const e = row.map((v) => Math.exp(v - (top === -Infinity ? 0 : top)));
    const total = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / (total === 0 ? 1 : total)));
  }
  return out;
}

describe.skipIf(!backend)('fused softmax on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => {
    expect(gpu.stats().fallbacks).toEqual({});
    gpu.dispose();
  });

  it.each([1, 3, 17, 257, 1025, 4097])('rows of %i elements match the reference and a float64 loop', async (n) => {
    const rows = n > 1000 ? 3 : 5;
    const spec = { shape: [rows, n], low: -8, high: 8 };
    const { gpu: got } = await compareWithReference(gpu, (x) => softmax(x, -1), [spec], { seed: n });
    const values = valuesFor(spec, random(n)); // the inputs compareWithReference drew
    expectClose(got, softmaxRows(values, n), { atol: 1e-7, rtol: 2e-6 });
  });

  it('runs as one dispatch', async () => {
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], 'f32', gpu);
    const before = gpu.stats().dispatches;
    const y = softmax(x);
    expect(gpu.stats().dispatches - before).toBe(1);
    await y.data();
    x.dispose();
    y.dispose();
  });

  it('reduces along every axis of a rank-3 tensor, and along views', async () => {
    for (const axis of [0, 1, 2, -2]) await compareWithReference(gpu, (x) => softmax(x, axis), [{ shape: [5, 7, 3] }]);
    await compareWithReference(gpu, (x) => softmax(permute(x, [2, 0, 1]), -1), [{ shape: [4, 6, 9] }]);
    await compareWithReference(gpu, (x) => softmax(slice(x, [1, 2]), -1), [{ shape: [5, 11] }]);
    await compareWithReference(gpu, (x) => softmax(narrow(x, 0, 2, 3), 1), [{ shape: [6, 5, 4] }]);
    await compareWithReference(gpu, (x) => softmax(x, 0), [{ shape: [] }]);
  });

  it('gives zeros for all −∞ rows, ignores −∞ entries, and propagates NaN and +∞', async () => {
    const ninf = -Infinity;
    // Rows: all −∞; one finite; a huge entry; NaN; plain; +∞.
    const values = [ninf, ninf, ninf, ninf, 0, ninf, 1, ninf, 1e30, 2, ninf, NaN, 3, 1, 2, Infinity, 1, 2];
    const { gpu: got } = await compareWithReference(gpu, (x) => softmax(x, -1), [{ shape: [6, 3], values }]);
    expect(Array.from(got.slice(0, 6))).toEqual([0, 0, 0, 0, 1, 0]);
    expect(Array.from(got.slice(6, 9))).toEqual([0, 0, 1]);
    expect([...got.slice(9, 12), ...got.slice(15)].every(Number.isNaN)).toBe(true);
    expect(Array.from(got.slice(12, 15)).every(Number.isFinite)).toBe(true);
    // A long row with −∞ entries beyond the first workgroup's lanes.
    const next = random(7);
    const long = Array.from({ length: 2 * 1500 }, (_, i) => (i % 3 === 0 ? ninf : next() * 4));
    await compareWithReference(gpu, (x) => softmax(x, -1), [{ shape: [2, 1500], values: long }]);
  });

  it('backpropagates through the composite gradient rule', async () => {
    await compareGradientsWithReference(gpu, (x) => softmax(x, 1), [{ shape: [3, 33, 2] }]);
  });

  it('folds grids beyond the workgroups per dimension and handles empty tensors', async () => {
    const small = await createWebGPUBackend({ flags: { maxWorkgroupsPerDimension: 4 } });
    try {
      await compareWithReference(small, (x) => softmax(x, -1), [{ shape: [40, 3] }]);
      await compareWithReference(small, (x) => softmax(x, -1), [{ shape: [9, 300] }]);
      await compareWithReference(small, (x) => softmax(x, 1), [{ shape: [3, 0] }]);
      expect(small.stats().fallbacks).toEqual({});
    } finally {
      small.dispose();
    }
  });

  it('f16 stores halves and computes in f32 (needs shader-f16)', async (context) => {
    if (!gpu.capabilities.dtypes.includes('f16')) {
      console.info("skipped: this adapter lacks 'shader-f16' (SwiftShader has none); the f16 softmax runs only where the feature exists");
      context.skip();
    }
    const values = [0, 1, 2, 3, -1, -1, -1, -1];
    const x = fromArray(values, [2, 4], 'f32', gpu);
    const halves = tidy(() => cast(softmax(cast(x, 'f16'), -1), 'f32'));
    expectClose(await halves.data(), softmaxRows(values, 4), { atol: 1e-3, rtol: 1e-3 });
    x.dispose();
    halves.dispose();
  });
});

