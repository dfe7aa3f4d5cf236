import { describe, expect, it } from 'vitest';
import {
  ConfigError, DTypeError, Generator, ShapeError, arange, chunk, concat, fromArray, memory, mul, narrow, split, stack, sum, tensor, transpose,
} from '../../index.js';
import { gradcheck } from '../../testing/index.js';

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const normals = (g: Generator, n: number) => Array.from({ length: n }, () => g.normal());

/** torch.cat from its definition: out[p] = parts[k][p − offset_k along axis] for the k holding p[axis]. */
function concatReference(parts: { values: number[]; shape: number[] }[], axis: number): { values: number[]; shape: number[] } {
  const shape = parts[0].shape.map((d, i) => (i === axis ? parts.reduce((n, p) => n + p.shape[axis], 0) : d));
  const values: number[] = [];
  const outer = sizeOf(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const row = sizeOf(p.shape.slice(axis));
      values.push(...p.values.slice(o * row, (o + 1) * row));
    }
  }
  return { values, shape };
}

describe('concat', () => {
  it('matches a float64 reference on random shapes, axes and input counts, including size-0 dims', () => {
    const g = new Generator(301);
    for (const shape of [[4], [2, 3], [2, 3, 4], [0, 3], [2, 0, 2]]) {
      for (let axis = 0; axis < shape.length; axis++) {
        for (const count of [1, 2, 4]) {
          const parts = Array.from({ length: count }, (_, k) => {
            const partShape = shape.map((d, i) => (i === axis ? (k * 3 + d) % 4 : d));
            return { values: normals(g, sizeOf(partShape)), shape: partShape };
          });
          const ref = concatReference(parts, axis);
          for (const dtype of ['f64', 'i32'] as const) {
            // (+ 0 turns −0 into 0: an i32 tensor reads it back as 0)
            const values = (v: number[]) => (dtype === 'i32' ? v.map((x) => Math.round(10 * x) + 0) : v);
            const y = concat(parts.map((p) => fromArray(values(p.values), p.shape, dtype)), axis - shape.length);
            expect(y.shape).toEqual(ref.shape);
            expect(y.dtype).toBe(dtype);
            expect(Array.from(y.dataSync())).toEqual(values(ref.values));
          }
        }
      }
    }
  });

  it('reads strided and offset inputs', () => {
    const a = transpose(tensor([[1, 2], [3, 4]])); // [[1, 3], [2, 4]]
    const b = narrow(tensor([[9, 9], [5, 6]]), 0, 1, 1); // [[5, 6]] at offset 2
    expect(Array.from(concat([a, b]).dataSync())).toEqual([1, 3, 2, 4, 5, 6]);
    expect(Array.from(concat([b, tensor([[7, 8]])], 1).dataSync())).toEqual([5, 6, 7, 8]);
  });

  it('passes gradcheck with three inputs', () => {
    const g = new Generator(302);
    gradcheck((a, b, c) => concat([a, b, c], 1), [
      { values: normals(g, 4), shape: [2, 2] },
      { values: normals(g, 2), shape: [2, 1] },
      { values: normals(g, 6), shape: [2, 3] },
    ]);
    gradcheck((a, b) => concat([a, b, a], 0), [{ values: normals(g, 3), shape: [1, 3] }, { values: normals(g, 6), shape: [2, 3] }]);
  });

  it('validates ranks, shapes and dtypes', () => {
    expect(() => concat([])).toThrow(ConfigError);
    expect(() => concat([tensor([1]), tensor([1], undefined, 'f64')])).toThrow(DTypeError);
    expect(() => concat([tensor([1]), tensor([1], undefined, 'f64')])).toThrow(/concat: argument 'tensors\[1\]' has an unsupported dtype; expected the dtype of 'tensors\[0\]' \(f32\), got f64/);
    expect(() => concat([tensor([[1, 2]]), tensor([[1, 2, 3]])], 0)).toThrow(/concat: tensors\[1\] does not match tensors\[0\]; expected the same shape except on axis 0 as \(1,2\), got \(1,3\)/);
    expect(() => concat([tensor([[1, 2]]), tensor([1, 2])])).toThrow(ShapeError);
    expect(() => concat([tensor(1), tensor(2)])).toThrow(/concat: tensors\[0\] has no axis/);
    expect(() => concat([tensor([1])], 1)).toThrow(/concat: axis is out of range/);
  });
});

describe('stack', () => {
  it('adds a new axis at any position, also for scalars, and frees its intermediates', () => {
    const g = new Generator(303);
    const values = [normals(g, 6), normals(g, 6), normals(g, 6)];
    const parts = values.map((v) => fromArray(v, [2, 3], 'f64'));
    for (let axis = -3; axis <= 2; axis++) {
      const a = axis < 0 ? axis + 3 : axis;
      const before = memory().liveTensors;
      const y = stack(parts, axis);
      expect(memory().liveTensors).toBe(before + 1);
      const shape = [2, 3];
      shape.splice(a, 0, 3);
      expect(y.shape).toEqual(shape);
      // y[p] = parts[p[a]][p without a]
      const expected = Array.from({ length: 18 }, (_, i) => {
        const p = [Math.floor(i / (shape[1] * shape[2])), Math.floor(i / shape[2]) % shape[1], i % shape[2]];
        const k = p.splice(a, 1)[0];
        return values[k][p[0] * 3 + p[1]];
      });
      expect(Array.from(y.dataSync())).toEqual(expected);
    }
    expect(Array.from(stack([tensor(1), tensor(2)]).dataSync())).toEqual([1, 2]);
    expect(stack([fromArray([], [0, 2])], 1).shape).toEqual([0, 1, 2]);
  });

  it('passes gradcheck', () => {
    const g = new Generator(304);
    gradcheck((a, b) => stack([a, b, a], 1), [{ values: normals(g, 6), shape: [2, 3] }, { values: normals(g, 6), shape: [2, 3] }]);
  });

  it('validates its arguments', () => {
    expect(() => stack([])).toThrow(ConfigError);
    expect(() => stack([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(/stack: tensors\[1\] does not match tensors\[0\]; expected the same shape as \(2,\), got \(3,\)/);
    expect(() => stack([tensor(1), tensor([1])])).toThrow(ShapeError);
    expect(() => stack([tensor([1]), tensor([1], undefined, 'i32')])).toThrow(DTypeError);
    expect(() => stack([tensor([1])], 2)).toThrow(/stack: axis is out of range/);
  });
});

describe('split and chunk', () => {
  const values = (ts: { dataSync(): ArrayLike<number> }[]) => ts.map((t) => Array.from(t.dataSync()));

  it('split by piece size and by a list of sizes, as torch.split', () => {
    expect(values(split(arange(5), 2))).toEqual([[0, 1], [2, 3], [4]]);
    expect(values(split(arange(6), 3))).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(values(split(arange(3), 5))).toEqual([[0, 1, 2]]);
    expect(values(split(arange(6), [1, 0, 5]))).toEqual([[0], [], [1, 2, 3, 4, 5]]);
    const x = fromArray(Array.from({ length: 12 }, (_, i) => i), [3, 4]);
    const parts = split(x, [3, 1], -1);
    expect(parts.map((t) => t.shape)).toEqual([[3, 3], [3, 1]]);
    expect(values(parts)).toEqual([[0, 1, 2, 4, 5, 6, 8, 9, 10], [3, 7, 11]]);
    expect(split(fromArray([], [2, 0]), 3, 1).map((t) => t.shape)).toEqual([[2, 0]]);
    expect(split(fromArray([], [2, 0]), 0, 1).map((t) => t.shape)).toEqual([[2, 0]]);
  });

  it('chunk into at most n pieces of ceil(size / n), as torch.chunk', () => {
    expect(values(chunk(arange(6), 3))).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(values(chunk(arange(5), 3))).toEqual([[0, 1], [2, 3], [4]]);
    expect(values(chunk(arange(6), 4))).toEqual([[0, 1], [2, 3], [4, 5]]); // fewer pieces, as PyTorch
    expect(values(chunk(arange(2), 5))).toEqual([[0], [1]]);
    expect(chunk(fromArray([], [0, 3]), 3).map((t) => t.shape)).toEqual([[0, 3], [0, 3], [0, 3]]);
    const qkv = fromArray(Array.from({ length: 12 }, (_, i) => i), [2, 6]);
    expect(values(chunk(qkv, 3, -1))).toEqual([[0, 1, 6, 7], [2, 3, 8, 9], [4, 5, 10, 11]]);
  });

  it('returns views whose gradients land in the right slots', () => {
    const g = new Generator(305);
    gradcheck((x) => {
      const [a, b, c] = split(x, [1, 2, 1], 1);
      return concat([mul(a, b), mul(c, c)], 1);
    }, [{ values: normals(g, 8), shape: [2, 4] }]);
    const x = tensor([1, 2, 3, 4, 5]).requireGrad();
    const [, second] = chunk(x, 2);
    sum(mul(second, 2)).backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 0, 0, 2, 2]);
    x.dispose();
  });

  it('validates their arguments', () => {
    const x = arange(6);
    expect(() => split(x, [2, 2])).toThrow(/split: sizes do not add up to the axis size; expected sizes summing to 6 \(axis 0 of \(6,\)\), got \[2, 2\] summing to 4/);
    expect(() => split(x, [7, -1])).toThrow(ConfigError);
    expect(() => split(x, 0)).toThrow(/split: 'sizes' is invalid; expected a positive integer piece size, got 0/);
    expect(() => split(x, 1.5)).toThrow(ConfigError);
    expect(() => split(x, 2, 1)).toThrow(/split: axis is out of range/);
    expect(() => split(tensor(1), 1)).toThrow(ShapeError);
    expect(() => chunk(x, 0)).toThrow(/chunk: 'chunks' is invalid; expected a positive integer, got 0/);
    expect(() => chunk(tensor(1), 2)).toThrow(ShapeError);
    expect(() => chunk(x, 2, -2)).toThrow(ShapeError);
  });
});
