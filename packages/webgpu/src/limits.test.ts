// Limits: an elementwise op over more than 65,535 × 256 elements (a 2-D grid), every kernel with
// grids folded early (a low maxWorkgroupsPerDimension flag), and layouts beyond a kernel's limits
// running on the counted CPU fallback instead of failing.
import { CapabilityError, add, argmax, matmul, mul, sum, tensor, transpose } from '@longshort/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { foldGrid } from './layout.js';
import { backendForTests, compareWithReference } from './test-support.js';

const backend = await backendForTests();
const folding = await backendForTests({ flags: { maxWorkgroupsPerDimension: 5 } });

describe('foldGrid', () => {
  it('folds a count into x·y ≥ count with both under the limit', () => {
    expect(foldGrid(70_000, 65_535, 'k')).toEqual([35_000, 2, 1]);
    expect(foldGrid(12, 5, 'k')).toEqual([4, 3, 1]);
    expect(foldGrid(5, 5, 'k')).toEqual([5, 1, 1]);
    expect(() => foldGrid(26, 5, 'k')).toThrow(CapabilityError);
  });
});

describe.skipIf(!backend || !folding)('grid limits on WebGPU', () => {
  const gpu = backend!;
  const folded = folding!;
  afterAll(() => {
    gpu.dispose();
    folded.dispose();
  });

  it('adds over 2²⁴ + 1001 elements (more than 65,535 workgroups of 256)', async () => {
    const size = 2 ** 24 + 1001;
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = (i % 1000) - 500;
    const x = tensor(values, [size], 'f32', gpu);
    const y = add(x, 0.5);
    const out = await y.data();
    for (const i of [0, 1, 65_535 * 256 - 1, 65_535 * 256, 65_535 * 256 + 1, size - 1]) expect(out[i]).toBe(values[i] + 0.5);
    let mismatches = 0;
    for (let i = 0; i < size; i++) if (out[i] !== values[i] + 0.5) mismatches++;
    expect(mismatches).toBe(0);
    x.dispose();
    y.dispose();
  }, 120_000);

  it('runs every kernel with grids folded into 2-D', async () => {
    const tolerance = { atol: 1e-4, rtol: 1e-4 };
    await compareWithReference(folded, (a, b) => mul(transpose(a), b), [{ shape: [61, 53] }, { shape: [53, 1] }]);
    await compareWithReference(folded, (x) => sum(x, 1), [{ shape: [1500, 3] }], tolerance);
    await compareWithReference(folded, (x) => sum(x, 0), [{ shape: [5000, 2] }], tolerance);
    await compareWithReference(folded, (x) => argmax(x, 1), [{ shape: [1500, 3] }]);
    // 13 batches of 4 × 4: three dispatches of at most 5 batches each.
    await compareWithReference(folded, (a, b) => matmul(a, b), [{ shape: [13, 4, 6] }, { shape: [13, 6, 4] }], tolerance);
    expect(folded.stats().fallbacks.matmul).toBeUndefined();
  });

  it('runs a matmul whose grid exceeds the limit on the CPU fallback, counted', async () => {
    // 200 / 32 → 7 workgroups along M and N, above the limit of 5. The transposed operand reached
    // the (strided) GPU kernel as a view; the CPU reference gets a row-major copy.
    await compareWithReference(folded, (a, b) => matmul(transpose(a), b), [{ shape: [3, 200] }, { shape: [3, 200] }], { atol: 1e-4, rtol: 1e-4 });
    expect(folded.stats().fallbacks.matmul).toBe(1);
  });
});
