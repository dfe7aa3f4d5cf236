import { describe, expect, it } from 'vitest';
import {
  DTypeError, Generator, ShapeError, embedding, fromArray, gather, indexSelect, memory, narrow, sum, tensor, transpose,
} from '../../index.js';
import { expectClose, gradcheck } from '../../testing/index.js';

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const normals = (g: Generator, n: number) => Array.from({ length: n }, () => g.normal());
const integers = (g: Generator, n: number, high: number) => Array.from({ length: n }, () => Math.floor(g.uniform() * high));

/** Row-major multi-index of flat position `i` in `shape`. */
function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return index;
}
const ravel = (index: readonly number[], shape: readonly number[]) => index.reduce((acc, v, d) => acc * shape[d] + v, 0);

/** torch.gather, written from its definition: out[p] = x[p with p[axis] replaced by index[p]]. */
function gatherReference(x: number[], xShape: number[], axis: number, index: number[], indexShape: number[]): number[] {
  return index.map((v, i) => {
    const p = unravel(i, indexShape);
    p[axis] = v;
    return x[ravel(p, xShape)];
  });
}

describe('gather', () => {
  it('matches a float64 reference on random shapes and axes, including size-0 dims', () => {
    const g = new Generator(101);
    const cases: [number[], number[]][] = [[[5], [7]], [[3, 4], [2, 6]], [[2, 3, 4], [2, 2, 3]], [[4, 0, 3], [5, 0, 2]], [[3, 5], [0, 5]], [[2, 3], [2, 3]]];
    for (const [xShape, base] of cases) {
      for (let axis = 0; axis < xShape.length; axis++) {
        if (xShape[axis] === 0) continue;
        const indexShape = base.map((d, i) => (i === axis ? d : Math.min(d, xShape[i])));
        const x = normals(g, sizeOf(xShape));
        const index = integers(g, sizeOf(indexShape), xShape[axis]);
        const ref = gatherReference(x, xShape, axis, index, indexShape);
        const idx = fromArray(index, indexShape, 'i32');
        for (const dtype of ['f32', 'f64'] as const) {
          const y = gather(fromArray(x, xShape, dtype), axis - xShape.length, idx);
          expect(y.shape).toEqual(indexShape);
          expect(y.dtype).toBe(dtype);
          expectClose(y.dataSync(), ref, { atol: dtype === 'f32' ? 1e-6 : 0, rtol: 0 }, `${dtype} ${xShape} axis ${axis}`);
        }
        const ints = x.map((v) => Math.round(10 * v));
        expect(Array.from(gather(fromArray(ints, xShape, 'i32'), axis, idx).dataSync())).toEqual(gatherReference(ints, xShape, axis, index, indexShape));
      }
    }
  });

  it('matches torch.gather on its documented example and reads strided inputs', () => {
    // torch.gather(torch.tensor([[1, 2], [3, 4]]), 1, torch.tensor([[0, 0], [1, 0]])) == [[1, 1], [4, 3]]
    const index = tensor([[0, 0], [1, 0]], undefined, 'i32');
    expect(Array.from(gather(tensor([[1, 2], [3, 4]]), 1, index).dataSync())).toEqual([1, 1, 4, 3]);
    // a transposed x and an x at a storage offset
    expect(Array.from(gather(transpose(tensor([[1, 2], [3, 4]])), 1, index).dataSync())).toEqual([1, 1, 4, 2]);
    expect(Array.from(gather(narrow(tensor([[9, 9], [1, 2], [3, 4]]), 0, 1, 2), 1, index).dataSync())).toEqual([1, 1, 4, 3]);
  });

  it('passes gradcheck (repeated indices add up)', () => {
    const g = new Generator(102);
    const index = { values: [0, 2, 2, 1, 0, 0, 1, 1, 2, 2, 2, 0], shape: [2, 2, 3], dtype: 'i32' as const };
    gradcheck((x, i) => gather(x, 1, i), [{ values: normals(g, 24), shape: [2, 3, 4] }, index]);
    gradcheck((x, i) => gather(x, 0, i), [{ values: normals(g, 12), shape: [3, 4] }, { values: [2, 2, 0, 1, 0, 0, 1, 2], shape: [2, 4], dtype: 'i32' }]);
  });

  it('throws a ShapeError for out-of-range indices, without leaking tensors', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const before = memory().liveTensors;
    const tooBig = tensor([[0, 3]], undefined, 'i32');
    const negative = tensor([[0], [-1]], undefined, 'i32');
    expect(() => gather(x, 1, tooBig)).toThrow(ShapeError);
    expect(() => gather(x, 1, tooBig)).toThrow(/gather: index has an entry out of range for axis 1 of \(2,3\); expected values in \[0, 3\), got 3 at flat position 1/);
    expect(() => gather(x, 0, negative)).toThrow(/expected values in \[0, 2\), got -1 at flat position 1/);
    tooBig.dispose();
    negative.dispose();
    expect(memory().liveTensors).toBe(before);
  });

  it('validates its arguments', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(() => gather(x, 1, tensor([[0]]))).toThrow(DTypeError);
    expect(() => gather(x, 1, tensor([0], undefined, 'i32'))).toThrow(/gather: index does not fit x; expected rank 2 and index.shape\[d\] <= x.shape\[d\] for d != 1, got index \(1,\) and x \(2,3\)/);
    expect(() => gather(x, 1, tensor([[0], [0], [0]], undefined, 'i32'))).toThrow(ShapeError);
    expect(() => gather(x, 2, tensor([[0]], undefined, 'i32'))).toThrow(/gather: axis is out of range/);
    expect(() => gather(tensor(1), 0, tensor(0, undefined, 'i32'))).toThrow(/gather: x has no axis to index/);
  });
});

describe('indexSelect', () => {
  /** torch.index_select from its definition. */
  function indexSelectReference(x: number[], shape: number[], axis: number, index: number[]): number[] {
    const outShape = shape.map((d, i) => (i === axis ? index.length : d));
    return Array.from({ length: sizeOf(outShape) }, (_, i) => {
      const p = unravel(i, outShape);
      p[axis] = index[p[axis]];
      return x[ravel(p, shape)];
    });
  }

  it('matches a float64 reference on random shapes and axes, including size-0 dims', () => {
    const g = new Generator(103);
    for (const shape of [[6], [4, 5], [2, 3, 4], [3, 0, 2], [0, 4]]) {
      for (let axis = 0; axis < shape.length; axis++) {
        for (const m of [0, 1, 7]) {
          if (shape[axis] === 0 && m > 0) continue;
          const x = normals(g, sizeOf(shape));
          const index = integers(g, m, shape[axis]);
          const y = indexSelect(fromArray(x, shape, 'f64'), axis, fromArray(index, [m], 'i32'));
          expect(y.shape).toEqual(shape.map((d, i) => (i === axis ? m : d)));
          expect(Array.from(y.dataSync())).toEqual(indexSelectReference(x, shape, axis, index));
        }
      }
    }
  });

  it('passes gradcheck (repeated indices add up) and takes a strided x', () => {
    const g = new Generator(104);
    const index = { values: [2, 0, 2, 2], shape: [4], dtype: 'i32' as const };
    gradcheck((x, i) => indexSelect(x, 1, i), [{ values: normals(g, 18), shape: [2, 3, 3] }, index]);
    gradcheck((x, i) => indexSelect(transpose(x), 0, i), [{ values: normals(g, 6), shape: [2, 3] }, index]);
  });

  it('throws for out-of-range indices and bad arguments', () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    expect(() => indexSelect(x, 0, tensor([1, 3], undefined, 'i32'))).toThrow(/indexSelect: index has an entry out of range for axis 0 of \(3,2\); expected values in \[0, 3\), got 3 at flat position 1/);
    expect(() => indexSelect(x, 1, tensor([-1], undefined, 'i32'))).toThrow(ShapeError);
    expect(() => indexSelect(x, 0, tensor([[0]], undefined, 'i32'))).toThrow(/indexSelect: index is not a vector; expected a 1-D index, got \(1,1\)/);
    expect(() => indexSelect(x, 0, tensor([0]))).toThrow(DTypeError);
    expect(() => indexSelect(x, -3, tensor([0], undefined, 'i32'))).toThrow(ShapeError);
  });
});

describe('embedding', () => {
  it('looks up rows for ids of any shape, including rank 0 and size 0', () => {
    const g = new Generator(105);
    const [V, C] = [5, 3];
    const weight = normals(g, V * C);
    const w = fromArray(weight, [V, C], 'f64');
    for (const idsShape of [[2, 3], [4], [], [2, 0]]) {
      const ids = integers(g, sizeOf(idsShape), V);
      const before = memory().liveTensors;
      const y = embedding(w, fromArray(ids, idsShape, 'i32'));
      expect(y.shape).toEqual([...idsShape, C]);
      expect(Array.from(y.dataSync())).toEqual(ids.flatMap((id) => weight.slice(id * C, (id + 1) * C)));
      y.dispose();
      expect(memory().liveTensors).toBe(before + 1); // the ids tensor
    }
  });

  it('passes gradcheck and accumulates gradients of repeated ids', () => {
    const g = new Generator(106);
    gradcheck((w, ids) => embedding(w, ids), [{ values: normals(g, 12), shape: [4, 3] }, { values: [3, 0, 3, 3, 1, 0], shape: [2, 3], dtype: 'i32' }]);
    const w = tensor([[1, 2], [3, 4]]).requireGrad();
    sum(embedding(w, tensor([1, 1, 1], undefined, 'i32'))).backward();
    expect(Array.from(w.grad!.dataSync())).toEqual([0, 0, 3, 3]);
    w.dispose();
  });

  it('validates its arguments and reports out-of-range ids', () => {
    const w = tensor([[1, 2], [3, 4]]);
    expect(() => embedding(w, tensor([0, 2], undefined, 'i32'))).toThrow(/indexSelect: index has an entry out of range for axis 0 of \(2,2\); expected values in \[0, 2\), got 2/);
    expect(() => embedding(tensor([1, 2]), tensor([0], undefined, 'i32'))).toThrow(/embedding: weight is not a matrix; expected shape \(V, C\), got \(2,\)/);
    expect(() => embedding(w, tensor([0]))).toThrow(DTypeError);
    expect(() => embedding(tensor([[1]], undefined, 'i32'), tensor([0], undefined, 'i32'))).toThrow(DTypeError);
  });
});
