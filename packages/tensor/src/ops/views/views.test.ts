import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ShapeError, expand, flatten, fromArray, memory, narrow, permute, reshape, slice, squeeze, tensor, transpose,
  unsqueeze, zeros,
} from '../../index.js';
import type { Generator } from '../../random/generator.js';
import {
  broadcastRead, gradcheck, permuteReference, randomGenerator, uniformInt, randomShape, randomValues, ravel, unravel,
} from '../../testing/index.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function randomPermutation(g: Generator, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(g, 0, i);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** A random shape with `n` elements (n > 0): its prime-ish factors spread over up to 4 axes. */
function factorShape(g: Generator, n: number): number[] {
  const shape = [1, 1, 1, 1].slice(0, uniformInt(g, 1, 4));
  let rest = n;
  for (let f = 2; rest > 1; f++) {
    while (rest % f === 0) {
      shape[uniformInt(g, 0, shape.length - 1)] *= f;
      rest /= f;
    }
  }
  return shape;
}

/** The box [starts, ends) of row-major values (Python slice semantics, already clamped). */
function boxReference(values: ArrayLike<number>, shape: readonly number[], starts: number[], ends: number[]): number[] {
  const outShape = starts.map((s, i) => ends[i] - s);
  return Array.from({ length: size(outShape) }, (_, i) => values[ravel(unravel(i, outShape).map((v, k) => v + starts[k]), shape)]);
}

describe('reshape', () => {
  it('keeps row-major order for random shapes, views contiguous inputs and copies when it must', () => {
    const g = randomGenerator(701);
    for (let draw = 0; draw < 30; draw++) {
      const shape = randomShape(g, { minRank: 1, zeroProbability: 0 });
      const values = randomValues(g, size(shape));
      const x = fromArray(values, shape, 'f64');
      const target = factorShape(g, size(shape));
      const y = reshape(x, target);
      expect(y.shape).toEqual(target);
      expect(y.storage).toBe(x.storage);
      expect(Array.from(y.dataSync())).toEqual(Array.from(values));
      // a permuted view: the result follows the permuted order
      const axes = randomPermutation(g, shape.length);
      const p = reshape(permute(x, axes), target);
      expect(Array.from(p.dataSync())).toEqual(Array.from(permuteReference(values, shape, axes)));
    }
  });

  it('views a sliced (non-contiguous) tensor without a copy when its strides allow', () => {
    const x = fromArray(Array.from({ length: 24 }, (_, i) => i), [4, 2, 3]);
    const s = narrow(x, 0, 1, 2); // (2,2,3) at offset 6
    const y = reshape(s, [2, 6]);
    expect(y.storage).toBe(x.storage);
    expect(Array.from(y.dataSync())).toEqual(Array.from({ length: 12 }, (_, i) => i + 6));
    const t = transpose(x, 1, 2); // (4,3,2): merging the last two axes needs a copy
    const c = reshape(t, [4, 6]);
    expect(c.storage).not.toBe(x.storage);
    expect(Array.from(c.dataSync())).toEqual(Array.from(permuteReference(Array.from({ length: 24 }, (_, i) => i), [4, 2, 3], [0, 2, 1])));
  });

  it('infers one -1 dimension, and handles size-0 and rank-0 tensors', () => {
    expect(reshape(zeros([2, 3, 4]), [-1, 4]).shape).toEqual([6, 4]);
    expect(reshape(zeros([2, 0, 4]), [4, 0, 2]).shape).toEqual([4, 0, 2]);
    expect(reshape(zeros([2, 0, 4]), [-1, 4]).shape).toEqual([0, 4]);
    expect(reshape(tensor(5), [1, 1]).shape).toEqual([1, 1]);
    expect(reshape(zeros([1, 1]), []).shape).toEqual([]);
  });

  it('throws ShapeErrors for a size change, two -1s or an unresolvable -1', () => {
    expect(() => reshape(zeros([2, 3]), [4])).toThrow(ShapeError);
    expect(() => reshape(zeros([2, 3]), [4])).toThrow('reshape: shape changes the number of elements; expected 6 elements as in (2,3), got (4,) with 4.');
    expect(() => reshape(zeros([2, 3]), [-1, -1])).toThrow('reshape: shape cannot be resolved');
    // with zero elements a -1 next to a 0 is ambiguous (PyTorch refuses it too)
    expect(() => reshape(zeros([2, 0]), [0, -1])).toThrow('reshape: shape cannot be resolved');
    expect(() => reshape(zeros([6]), [4, -1])).toThrow('reshape: shape cannot be resolved');
    expect(() => reshape(zeros([6]), [-2, -3])).toThrow('reshape: shape has an invalid dimension');
  });

  it('followed by the inverse reshape is the identity (property)', () => {
    const dims = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
    fc.assert(fc.property(dims, fc.integer({ min: 0, max: 1000 }), (shape, seed) => {
      const g = randomGenerator(seed);
      const values = randomValues(g, size(shape));
      const x = fromArray(values, shape, 'f64');
      const axes = randomPermutation(g, shape.length);
      const v = permute(x, axes);
      const flat = reshape(v, [-1]);
      const back = reshape(flat, v.shape);
      expect(back.shape).toEqual(v.shape);
      expect(Array.from(back.dataSync())).toEqual(Array.from(v.dataSync()));
      for (const t of [x, v, flat, back]) t.dispose();
    }), { seed: 7, numRuns: 100 });
  });

  it('passes gradcheck (also through a copying reshape)', () => {
    gradcheck((x) => reshape(x, [3, 2]), [{ values: [1, 2, 3, 4, 5, 6], shape: [2, 3] }]);
    gradcheck((x) => reshape(transpose(x), [6]), [{ values: [1, 2, 3, 4, 5, 6], shape: [2, 3] }]);
  });
});

describe('permute and transpose', () => {
  it('reorder axes of random shapes (incl. size-0 dims) as the reference does, without copying', () => {
    const g = randomGenerator(702);
    for (let draw = 0; draw < 30; draw++) {
      const shape = randomShape(g);
      const values = randomValues(g, size(shape));
      const x = fromArray(values, shape, 'f64');
      const axes = randomPermutation(g, shape.length);
      const y = permute(x, axes);
      expect(y.storage).toBe(x.storage);
      expect(y.shape).toEqual(axes.map((a) => shape[a]));
      expect(Array.from(y.dataSync())).toEqual(Array.from(permuteReference(values, shape, axes)));
    }
  });

  it('transpose swaps the last two axes by default and accepts negative axes', () => {
    const values = Array.from({ length: 24 }, (_, i) => i);
    const x = fromArray(values, [2, 3, 4]);
    expect(Array.from(transpose(x).dataSync())).toEqual(Array.from(permuteReference(values, [2, 3, 4], [0, 2, 1])));
    expect(Array.from(transpose(x, 0, -1).dataSync())).toEqual(Array.from(permuteReference(values, [2, 3, 4], [2, 1, 0])));
  });

  it('throw ShapeErrors for a non-permutation or an axis out of range', () => {
    expect(() => permute(zeros([2, 3]), [0, 0])).toThrow('permute: axes is not a permutation; expected a permutation of 2 axes, got [0,0].');
    expect(() => permute(zeros([2, 3]), [0])).toThrow(ShapeError);
    expect(() => permute(zeros([2, 3]), [0, 2])).toThrow('permute: axes is out of range; expected an integer in [-2, 1], got 2.');
    expect(() => transpose(zeros([2]), 0, 1)).toThrow('transpose: axis1 is out of range');
  });

  it('pass gradcheck', () => {
    gradcheck((x) => permute(x, [2, 0, 1]), [{ values: Array.from({ length: 12 }, (_, i) => i / 10), shape: [2, 3, 2] }]);
    gradcheck((x) => transpose(x), [{ values: [1, 2, 3, 4, 5, 6], shape: [3, 2] }]);
  });
});

describe('expand', () => {
  it('broadcasts random shapes with stride 0 (no copy)', () => {
    const g = randomGenerator(703);
    for (let draw = 0; draw < 20; draw++) {
      const target = randomShape(g, { minRank: 1, maxDim: 3 });
      const shape = target.slice(uniformInt(g, 0, target.length)).map((d) => (g.uniform() < 0.5 ? 1 : d));
      const values = randomValues(g, size(shape));
      const x = fromArray(values, shape, 'f64');
      const y = expand(x, target);
      expect(y.storage).toBe(x.storage);
      expect(y.shape).toEqual(target);
      expect(Array.from(y.dataSync())).toEqual(Array.from({ length: size(target) }, (_, i) => broadcastRead(values, shape, unravel(i, target))));
    }
  });

  it('keeps -1 dimensions and throws a ShapeError for a shape that cannot hold the tensor', () => {
    expect(expand(zeros([3, 1]), [2, -1, 4]).shape).toEqual([2, 3, 4]);
    expect(() => expand(zeros([2, 3]), [3])).toThrow(ShapeError);
    expect(() => expand(zeros([3]), [2, 4])).toThrow('expand: operands cannot be broadcast together');
    expect(() => expand(zeros([1, 3]), [3, 1])).toThrow('expand: shape cannot hold the tensor; expected a shape that (1,3) broadcasts to, got (3,1).');
  });

  it('passes gradcheck (the gradient sums over the broadcast axes)', () => {
    gradcheck((x) => expand(x, [2, 3, 2]), [{ values: [0.5, -1, 2], shape: [3, 1] }]);
  });
});

describe('slice and narrow', () => {
  it('cut random boxes with Python semantics (negative and clamped indices, empty results)', () => {
    const g = randomGenerator(704);
    for (let draw = 0; draw < 30; draw++) {
      const shape = randomShape(g, { minRank: 1, maxDim: 5 });
      const values = randomValues(g, size(shape));
      const x = fromArray(values, shape, 'f64');
      const starts = shape.map((d) => uniformInt(g, -d - 2, d + 1));
      const ends = shape.map((d) => uniformInt(g, -d - 2, d + 2));
      const clamp = (v: number, d: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
      const s = starts.map((v, i) => clamp(v, shape[i]));
      const e = ends.map((v, i) => Math.max(s[i], clamp(v, shape[i])));
      const y = slice(x, starts, ends);
      expect(y.shape).toEqual(s.map((v, i) => e[i] - v));
      expect(y.storage).toBe(x.storage);
      expect(Array.from(y.dataSync())).toEqual(boxReference(values, shape, s, e));
    }
  });

  it('take omitted trailing axes whole, and throw a ShapeError for too many entries', () => {
    const x = fromArray(Array.from({ length: 12 }, (_, i) => i), [3, 4]);
    expect(Array.from(slice(x, [1]).dataSync())).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(Array.from(slice(x, [0, -1]).dataSync())).toEqual([3, 7, 11]);
    expect(() => slice(x, [0, 0, 0])).toThrow(ShapeError);
    expect(() => slice(x, [0, 0, 0])).toThrow('slice: starts has more entries than the tensor has axes; expected at most 2, got 3.');
  });

  it('narrow takes `length` entries of an axis and rejects ranges that leave it', () => {
    const x = fromArray(Array.from({ length: 12 }, (_, i) => i), [3, 4]);
    expect(Array.from(narrow(x, 1, 1, 2).dataSync())).toEqual([1, 2, 5, 6, 9, 10]);
    expect(narrow(x, -2, 3, 0).shape).toEqual([0, 4]);
    expect(() => narrow(x, 1, 3, 2)).toThrow('narrow: start/length leave the axis; expected 0 <= start and start + length <= 4, got start 3, length 2.');
    expect(() => narrow(x, 0, -1, 1)).toThrow(ShapeError);
  });

  it('pass gradcheck (the gradient is zero-padded)', () => {
    const values = Array.from({ length: 12 }, (_, i) => i / 7);
    gradcheck((x) => slice(x, [1, -3], [3, -1]), [{ values, shape: [3, 4] }]);
    gradcheck((x) => narrow(x, 0, 1, 1), [{ values, shape: [3, 4] }]);
  });
});

describe('unsqueeze, squeeze and flatten', () => {
  it('insert and remove size-1 axes', () => {
    const x = zeros([2, 3]);
    expect(unsqueeze(x, 0).shape).toEqual([1, 2, 3]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 1]);
    expect(unsqueeze(x, 1).shape).toEqual([2, 1, 3]);
    expect(unsqueeze(tensor(1), 0).shape).toEqual([1]);
    expect(squeeze(zeros([1, 3, 1, 2])).shape).toEqual([3, 2]);
    expect(squeeze(zeros([1, 3, 1]), -1).shape).toEqual([1, 3]);
    expect(squeeze(zeros([1, 3, 1]), [0, 2]).shape).toEqual([3]);
    expect(() => squeeze(zeros([1, 3]), 1)).toThrow('squeeze: axes names an axis of size other than 1; expected size-1 axes, got axis 1 of (1,3).');
    expect(() => unsqueeze(x, 3)).toThrow(ShapeError);
  });

  it('flatten merges a range of axes in row-major order', () => {
    const values = Array.from({ length: 24 }, (_, i) => i);
    const x = fromArray(values, [2, 3, 4]);
    expect(flatten(x).shape).toEqual([24]);
    expect(flatten(x, 1).shape).toEqual([2, 12]);
    expect(flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(flatten(tensor(3)).shape).toEqual([1]);
    expect(Array.from(flatten(transpose(x), 1).dataSync())).toEqual(Array.from(permuteReference(values, [2, 3, 4], [0, 2, 1])));
  });

  it('pass gradcheck', () => {
    const input = [{ values: [1, 2, 3, 4, 5, 6], shape: [2, 1, 3] }];
    gradcheck((x) => squeeze(x), input);
    gradcheck((x) => unsqueeze(x, 0), input);
    gradcheck((x) => flatten(transpose(x, 0, 2)), input);
  });
});

describe('view memory', () => {
  it('views share storage, allocate no bytes, and outlive their base', () => {
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
    const before = memory();
    const v = reshape(transpose(narrow(x, 1, 0, 2)), [4]);
    expect(memory().liveStorages).toBe(before.liveStorages + 1); // the transposed slice is copied once
    const w = permute(x, [1, 0]);
    expect(memory().liveBytes).toBe(before.liveBytes + 16);
    x.dispose();
    expect(Array.from(w.dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(v.dataSync())).toEqual([1, 4, 2, 5]);
  });
});
