import { describe, expect, it } from 'vitest';
import { DTypeError, Generator, ShapeError, fromArray, memory, narrow, scatterAdd, tensor, transpose, zeros } from '../../index.js';
import { expectClose, gradcheck } from '../../testing/index.js';

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const normals = (g: Generator, n: number) => Array.from({ length: n }, () => g.normal());
const integers = (g: Generator, n: number, high: number) => Array.from({ length: n }, () => Math.floor(g.uniform() * high));

function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return index;
}
const ravel = (index: readonly number[], shape: readonly number[]) => index.reduce((acc, v, d) => acc * shape[d] + v, 0);

/** torch.scatter_add from its definition: out = x; out[p with p[axis] = index[p]] += src[p] for p in index. */
function scatterAddReference(x: number[], xShape: number[], axis: number, index: number[], indexShape: number[], src: number[], srcShape: number[]): number[] {
  const out = [...x];
  index.forEach((v, i) => {
    const p = unravel(i, indexShape);
    const s = src[ravel(p, srcShape)];
    p[axis] = v;
    out[ravel(p, xShape)] += s;
  });
  return out;
}

describe('scatterAdd', () => {
  it('matches a float64 reference on random shapes and axes, including size-0 dims and src larger than index', () => {
    const g = new Generator(201);
    const cases: [number[], number[], number[]][] = [
      // x shape, index shape (before clamping to x off-axis), extra src size per axis
      [[5], [9], [2]],
      [[3, 4], [5, 2], [0, 1]],
      [[2, 3, 4], [2, 4, 3], [1, 0, 2]],
      [[3, 0, 2], [2, 0, 2], [0, 0, 0]],
      [[4, 3], [0, 3], [1, 0]],
    ];
    for (const [xShape, base, extra] of cases) {
      for (let axis = 0; axis < xShape.length; axis++) {
        if (xShape[axis] === 0) continue;
        const indexShape = base.map((d, i) => (i === axis ? d : Math.min(d, xShape[i])));
        const srcShape = indexShape.map((d, i) => d + extra[i]);
        const x = normals(g, sizeOf(xShape));
        const index = integers(g, sizeOf(indexShape), xShape[axis]);
        const src = normals(g, sizeOf(srcShape));
        const ref = scatterAddReference(x, xShape, axis, index, indexShape, src, srcShape);
        const idx = fromArray(index, indexShape, 'i32');
        for (const dtype of ['f32', 'f64'] as const) {
          const y = scatterAdd(fromArray(x, xShape, dtype), axis - xShape.length, idx, fromArray(src, srcShape, dtype));
          expect(y.shape).toEqual(xShape);
          expect(y.dtype).toBe(dtype);
          expectClose(y.dataSync(), ref, dtype === 'f32' ? { atol: 1e-5, rtol: 1e-5 } : { atol: 1e-14, rtol: 1e-14 }, `${dtype} ${xShape} axis ${axis}`);
        }
      }
    }
  });

  it('matches torch.scatter_add on small examples, with i32 values and strided inputs', () => {
    // torch.zeros(3).scatter_add(0, torch.tensor([0, 2, 0]), torch.tensor([1., 2., 3.])) == [4, 0, 2]
    expect(Array.from(scatterAdd(zeros([3]), 0, tensor([0, 2, 0], undefined, 'i32'), tensor([1, 2, 3])).dataSync())).toEqual([4, 0, 2]);
    const x = tensor([[1, 1], [1, 1]], undefined, 'i32');
    const index = tensor([[1, 1], [0, 1]], undefined, 'i32');
    expect(Array.from(scatterAdd(x, 1, index, tensor([[10, 20], [30, 40]], undefined, 'i32')).dataSync())).toEqual([1, 31, 31, 41]);
    // transposed src and an x at a storage offset: src = [[10, 30], [20, 40]]
    const src = transpose(tensor([[10, 20], [30, 40]], undefined, 'i32'));
    const shifted = narrow(tensor([[7, 7], [1, 1], [1, 1]], undefined, 'i32'), 0, 1, 2);
    expect(Array.from(scatterAdd(shifted, 1, index, src).dataSync())).toEqual([1, 41, 21, 41]);
  });

  it('passes gradcheck for x and src (src larger than index)', () => {
    const g = new Generator(202);
    gradcheck((x, i, s) => scatterAdd(x, 1, i, s), [
      { values: normals(g, 12), shape: [3, 4] },
      { values: [0, 3, 3, 1, 1, 1, 2, 0], shape: [2, 4], dtype: 'i32' },
      { values: normals(g, 15), shape: [3, 5] },
    ]);
    gradcheck((x, i, s) => scatterAdd(x, 0, i, s), [
      { values: normals(g, 6), shape: [2, 3] },
      { values: [1, 1, 0, 0, 1, 1], shape: [3, 2], dtype: 'i32' },
      { values: normals(g, 9), shape: [3, 3] },
    ]);
  });

  it('throws a ShapeError for out-of-range indices, without leaking tensors', () => {
    const x = zeros([2, 3]);
    const src = zeros([2, 3]);
    const before = memory().liveTensors;
    const bad = tensor([[0, 1, 3]], undefined, 'i32');
    expect(() => scatterAdd(x, 1, bad, src)).toThrow(ShapeError);
    expect(() => scatterAdd(x, 1, bad, src)).toThrow(/scatterAdd: index has an entry out of range for axis 1 of \(2,3\); expected values in \[0, 3\), got 3 at flat position 2/);
    bad.dispose();
    expect(memory().liveTensors).toBe(before);
  });

  it('validates its arguments', () => {
    const x = zeros([2, 3]);
    const index = tensor([[0, 1]], undefined, 'i32');
    expect(() => scatterAdd(x, 1, index, zeros([2, 3], 'f64'))).toThrow(DTypeError);
    expect(() => scatterAdd(x, 1, tensor([[0, 1]]), zeros([2, 3]))).toThrow(DTypeError);
    expect(() => scatterAdd(zeros([2], 'bool'), 0, tensor([0], undefined, 'i32'), zeros([1], 'bool'))).toThrow(DTypeError);
    expect(() => scatterAdd(x, 1, index, zeros([1, 1]))).toThrow(/scatterAdd: index does not fit src; expected rank 2 and index.shape\[d\] <= src.shape\[d\] on every axis, got index \(1,2\) and src \(1,1\)/);
    expect(() => scatterAdd(x, 1, tensor([[0], [0], [0]], undefined, 'i32'), zeros([3, 1]))).toThrow(/scatterAdd: index does not fit x/);
    expect(() => scatterAdd(x, 1, tensor([0, 1], undefined, 'i32'), zeros([2]))).toThrow(ShapeError);
    expect(() => scatterAdd(x, -3, index, zeros([2, 3]))).toThrow(/scatterAdd: axis is out of range/);
  });
});
