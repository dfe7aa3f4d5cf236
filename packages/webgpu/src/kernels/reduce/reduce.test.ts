// sum, max and argmax against the CPU reference: every axis subset of a rank-4 tensor, keepDims,
// strided inputs, reductions short and long enough to take every lane count, empty axes, i32 and
// bool inputs, NaN and ties (2-D grids are covered in limits.test.ts).
import { argmax, max, permute, slice, sum, transpose, type DType } from '@longshort/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { backendForTests, compareWithReference } from '../../test-support.js';
import { lanesFor } from './reduce.js';

const backend = await backendForTests();

/** Every subset of [0, rank). */
const subsets = (rank: number) => Array.from({ length: 2 ** rank }, (_, mask) => [...Array(rank).keys()].filter((i) => mask & (1 << i)));

describe.skipIf(!backend)('reduction kernels on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());
  const reduction = { atol: 1e-4, rtol: 1e-4 };

  it.each(subsets(4).map((axes) => [axes.join(',') || '(none)', axes] as const))('sum and max over axes %s of a strided (3,4,5,6) view', async (_label, axes) => {
    await compareWithReference(gpu, (x) => sum(permute(x, [1, 3, 0, 2]), axes), [{ shape: [4, 3, 6, 5] }], reduction);
    await compareWithReference(gpu, (x) => max(permute(x, [1, 3, 0, 2]), axes, { keepDims: true }), [{ shape: [4, 3, 6, 5] }], reduction);
  });

  it.each([1, 15, 16, 17, 100, 513, 4096, 100_003])('sums and maxes over %i elements', async (n) => {
    expect(lanesFor(n)).toBeLessThanOrEqual(256);
    await compareWithReference(gpu, (x) => sum(x, -1), [{ shape: [3, n] }], reduction);
    await compareWithReference(gpu, (x) => max(x, 0), [{ shape: [n, 2] }], reduction);
  });

  it('sums empty axes to zeros and keeps empty outputs empty', async () => {
    const { gpu: values } = await compareWithReference(gpu, (x) => sum(x, 1), [{ shape: [3, 0, 2] }]);
    expect(Array.from(values)).toEqual([0, 0, 0, 0, 0, 0]);
    await compareWithReference(gpu, (x) => sum(x, 1), [{ shape: [0, 4] }]);
  });

  it.each<[DType, string]>([['i32', 'i32'], ['bool', 'i32']])('sums %s into %s', async (dtype, out) => {
    const { dtype: got } = await compareWithReference(gpu, (x) => sum(transpose(x), [0]), [{ shape: [7, 9], dtype, low: -100, high: 100 }]);
    expect(got).toBe(out);
    await compareWithReference(gpu, (x) => max(x, [1]), [{ shape: [7, 9], dtype: 'i32', low: -100, high: 100 }]);
  });

  it('max propagates NaN and handles infinities', async () => {
    const values = [1, NaN, 3, -Infinity, -Infinity, -Infinity, Infinity, 2, 5];
    await compareWithReference(gpu, (x) => max(x, 1), [{ shape: [3, 3], values }]);
  });

  it('argmax takes the first maximum, counts NaN as the maximum, and reads strided inputs', async () => {
    await compareWithReference(gpu, (x) => argmax(x, -1), [{ shape: [4, 5], values: [1, 3, 3, 0, 2, NaN, 1, NaN, 9, 9, -1, -1, -1, -1, -1, 0, 4, 4, Infinity, 4] }]);
    for (const n of [1, 7, 300, 5000]) {
      await compareWithReference(gpu, (x) => argmax(x, 0, { keepDims: true }), [{ shape: [n, 3], low: -2, high: 2 }]);
      await compareWithReference(gpu, (x) => argmax(transpose(x), 1), [{ shape: [n, 3], dtype: 'i32', low: -3, high: 3 }]);
    }
    await compareWithReference(gpu, (x) => argmax(slice(permute(x, [2, 0, 1]), [1]), 1), [{ shape: [5, 6, 4] }]);
  });
});
