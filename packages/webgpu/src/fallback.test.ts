// The CPU fallback: ops forced onto it run between GPU kernels in the right order (host tasks on
// the timeline), give the reference's results, are counted per op, and surface the CPU kernel's
// typed errors at the next read.
import { ShapeError, add, exp, fromArray, gather, matmul, mul, sum, tidy, transpose } from '@longshort/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { backendForTests, compareWithReference } from './test-support.js';

const backend = await backendForTests({ cpuFallback: ['matmul', 'exp', 'sum', 'gather'] });

describe.skipIf(!backend)('CPU fallback on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());

  it('interleaves fallback ops with GPU kernels and counts them', async () => {
    await compareWithReference(gpu, (a, b) => {
      const product = matmul(a, transpose(b)); // fallback, reading a GPU-made contiguous copy
      const shifted = add(product, 1); // GPU, reading the fallback's output
      const e = exp(shifted); // fallback
      return sum(mul(e, 0.5), 1); // GPU then fallback
    }, [{ shape: [4, 3] }, { shape: [5, 3] }], { atol: 1e-4, rtol: 1e-4 });
    const { fallbacks } = gpu.stats();
    expect(fallbacks).toEqual({ matmul: 1, exp: 1, sum: 1 });
    expect(gpu.memoryInfo().cpuFallbacks).toBe(3);
  });

  it('runs many queued fallbacks in order before a read', async () => {
    const x = fromArray([0.1, 0.2, 0.3], [3], 'f32', gpu);
    const y = tidy(() => {
      let t = x;
      for (let i = 0; i < 10; i++) t = add(exp(mul(t, 0.1)), -1);
      return t;
    });
    let expected = [0.1, 0.2, 0.3];
    for (let i = 0; i < 10; i++) expected = expected.map((v) => Math.exp(v * 0.1) - 1);
    const got = await y.data();
    expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    x.dispose();
    y.dispose();
  });

  it("surfaces the CPU kernel's ShapeError for an out-of-range index", async () => {
    const x = fromArray([1, 2, 3, 4], [2, 2], 'f32', gpu);
    const index = fromArray([0, 5], [1, 2], 'i32', gpu);
    const y = gather(x, 0, index);
    await expect(y.data()).rejects.toThrow(ShapeError);
    const ok = fromArray([7], [1], 'f32', gpu);
    expect(Array.from(await ok.data())).toEqual([7]);
    for (const t of [x, index, y, ok]) t.dispose();
  });
});
