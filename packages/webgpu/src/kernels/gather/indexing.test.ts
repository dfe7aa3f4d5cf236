// gather, indexSelect, scatterAdd and concat against the CPU reference (strided operands,
// repeated indices, empty parts), and out-of-range index values reported as the reference's
// ShapeError at the next read.
import {
  ShapeError, concat, embedding, fromArray, gather, indexSelect, permute, reshape, scatterAdd, slice, transpose, type DType, type Tensor,
} from '@longshort/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { backendForTests, compareWithReference } from '../../test-support.js';

const backend = await backendForTests();

describe.skipIf(!backend)('indexing kernels on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());

  it.each([0, 1, 2])('gather along axis %i of a strided input with a strided index', async (axis) => {
    await compareWithReference(gpu, (x, index) => gather(permute(x, [2, 0, 1]), axis, transpose(index, 0, 2)),
      [{ shape: [4, 5, 6] }, { shape: [3, 4, 2], dtype: 'i32', low: 0, high: [6, 4, 5][axis] - 1 }]);
  });

  it.each<[number, DType]>([[0, 'f32'], [1, 'i32'], [2, 'bool']])('indexSelect along axis %i (%s), indices repeated', async (axis, dtype) => {
    await compareWithReference(gpu, (x, index) => indexSelect(x, axis, index),
      [{ shape: [4, 5, 3], dtype }, { shape: [7], dtype: 'i32', low: 0, high: [4, 5, 3][axis] - 1 }]);
    await compareWithReference(gpu, (x, index) => indexSelect(transpose(x, 0, 2), axis, slice(index, [2])),
      [{ shape: [3, 5, 4], dtype }, { shape: [7], dtype: 'i32', low: 0, high: 2 }]);
  });

  it('embeds ids (indexSelect of rows)', async () => {
    await compareWithReference(gpu, (weight, ids) => embedding(weight, ids), [{ shape: [11, 8] }, { shape: [2, 6], dtype: 'i32', low: 0, high: 10 }]);
  });

  it.each<[number, DType]>([[0, 'f32'], [1, 'f32'], [1, 'i32']])('scatterAdd along axis %i (%s) with colliding indices', async (axis, dtype) => {
    await compareWithReference(gpu, (x, index, src) => scatterAdd(x, axis, index, src),
      [{ shape: [3, 4], dtype }, { shape: [3, 4], dtype: 'i32', low: 0, high: [3, 4][axis] - 1 }, { shape: [3, 5], dtype }], { atol: 1e-5, rtol: 1e-5 });
    await compareWithReference(gpu, (x, index, src) => scatterAdd(transpose(x), axis, index, transpose(src)),
      [{ shape: [6, 2], dtype }, { shape: [2, 6], dtype: 'i32', low: 0, high: [2, 6][axis] - 1 }, { shape: [6, 3], dtype }], { atol: 1e-5, rtol: 1e-5 });
  });

  it.each<[number, DType]>([[0, 'f32'], [1, 'i32'], [2, 'bool']])('concat along axis %i (%s) of strided and empty parts', async (axis, dtype) => {
    const shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]].map((s, k) => s.map((d, i) => (i === axis ? [2, 0, 3][k] : d)));
    await compareWithReference(gpu, (a, b, c) => concat([a, b, c], axis), shapes.map((shape) => ({ shape, dtype })));
    // (2, 3, 4) transposed and (2, 3, 4) sliced at an offset.
    await compareWithReference(gpu, (a, b) => concat([transpose(a, 0, 2), slice(b, [0, 0, 1])], axis),
      [{ shape: [4, 3, 2], dtype }, { shape: [2, 3, 5], dtype }]);
  });

  it.each<[string, (x: Tensor, index: Tensor) => Tensor, number[]]>([
    ['gather', (x, index) => gather(x, 1, index), [0, 3, 1, -1]],
    ['indexSelect', (x, index) => indexSelect(x, 1, reshape(index, [4])), [0, 1, 4, 2]],
    ['scatterAdd', (x, index) => scatterAdd(x, 1, index, x), [0, 3, 1, 9]],
  ])('%s reports an out-of-range index like the reference', async (name, op, indices) => {
    const run = async (backendName: 'cpu' | 'gpu') => {
      const target = backendName === 'gpu' ? gpu : undefined;
      const x = fromArray([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], 'f32', target);
      const index = fromArray(indices, [1, 4], 'i32', target);
      try {
        const y = op(x, index);
        try {
          await y.data();
          return null;
        } finally {
          y.dispose();
        }
      } catch (error) {
        return error;
      } finally {
        x.dispose();
        index.dispose();
      }
    };
    const [cpuError, gpuError] = [await run('cpu'), await run('gpu')];
    expect(cpuError).toBeInstanceOf(ShapeError);
    expect(ShapeError.isInstance(gpuError)).toBe(true);
    expect((gpuError as ShapeError).message).toBe((cpuError as ShapeError).message);
    expect((gpuError as ShapeError).op).toBe(name);
    // The status is cleared: the backend keeps working.
    const ok = fromArray([1, 2], [2], 'f32', gpu);
    expect(Array.from(await ok.data())).toEqual([1, 2]);
    ok.dispose();
  });
});
