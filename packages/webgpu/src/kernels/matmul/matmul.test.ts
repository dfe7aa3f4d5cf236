// matmul against the CPU reference: sizes around the 4×4 register block and the 32×32 tile, the
// vec4 and scalar variants, transposes, broadcast and strided batch axes, K = 0, and views that
// reach the kernel without a copy (transposed, sliced, expanded).
import { expand, matmul, permute, slice, transpose } from '@longshort/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { backendForTests, compareWithReference } from '../../test-support.js';

const backend = await backendForTests();

describe.skipIf(!backend)('matmul kernel on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());
  const tolerance = { atol: 1e-4, rtol: 1e-4 };

  it.each([[1, 1, 1], [3, 5, 7], [4, 8, 4], [33, 17, 65], [64, 64, 64], [31, 1, 33], [1, 129, 5]])('(%i×%i)·(%i×…) in both variants', async (m, k, n) => {
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [m, k] }, { shape: [k, n] }], tolerance);
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [m, k] }, { shape: [k, n * 4] }], tolerance);
  });

  it.each([[false, false], [true, false], [false, true], [true, true]])('transposeA=%s transposeB=%s', async (transposeA, transposeB) => {
    const [m, k, n] = [6, 9, 8];
    await compareWithReference(gpu, (a, b) => matmul(a, b, { transposeA, transposeB }),
      [{ shape: transposeA ? [2, k, m] : [2, m, k] }, { shape: transposeB ? [2, n, k] : [2, k, n] }], tolerance);
  });

  it('broadcasts batch axes (rank 4 with rank 2 and size-1 axes)', async () => {
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [2, 3, 5, 4] }, { shape: [4, 8] }], tolerance);
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [2, 1, 5, 4] }, { shape: [1, 3, 4, 6] }], tolerance);
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [7] }, { shape: [3, 7, 2] }], tolerance);
  });

  it('reads transposed, sliced and expanded operands without copies', async () => {
    const before = gpu.stats().dispatches;
    // (3, 5, 4) · (4, 9): a is permuted, b is a transposed slice with an offset.
    await compareWithReference(gpu, (a, b) => matmul(permute(a, [1, 0, 2]), transpose(slice(b, [0, 1]))),
      [{ shape: [5, 3, 4] }, { shape: [9, 5] }], tolerance);
    // One matmul dispatch on the GPU: no contiguous copies were made.
    expect(gpu.stats().dispatches - before).toBe(1);
    await compareWithReference(gpu, (a, b) => matmul(expand(a, [3, 4, 5]), b), [{ shape: [1, 4, 5] }, { shape: [3, 5, 2] }], tolerance);
  });

  it('gives zeros for K = 0 and nothing for empty outputs', async () => {
    const { gpu: values } = await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [3, 0] }, { shape: [0, 4] }]);
    expect(Array.from(values)).toEqual(new Array(12).fill(0));
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [0, 3] }, { shape: [3, 4] }]);
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [2, 0, 3, 3] }, { shape: [3, 4] }]);
  });
});
