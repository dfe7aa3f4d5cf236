import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DTypeError, ShapeError, argmax, expand, fromArray, logsumexp, max, mean, memory, min, sum, sumTo, tensor, variance,
  zeros, type ReduceOptions, type Tensor,
} from '../../index.js';
import {
  expectClose, gradcheck, randomAxes, randomGenerator, randomIntegers, randomShape, randomValues, reduceReference,
  unravel,
} from '../../testing/index.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
type Reduce = (x: Tensor, axes?: number | readonly number[], options?: ReduceOptions) => Tensor;

/** The float64 reference of each reduction over `axes` of row-major `values` (keepDims shape). */
const references: Record<string, (values: ArrayLike<number>, shape: number[], axes: number[]) => { shape: number[]; values: Float64Array }> = {
  sum: (v, s, a) => reduceReference(v, s, a, 0, (acc, x) => acc + x),
  max: (v, s, a) => reduceReference(v, s, a, -Infinity, (acc, x) => (x > acc ? x : acc)),
  min: (v, s, a) => reduceReference(v, s, a, Infinity, (acc, x) => (x < acc ? x : acc)),
  mean: (v, s, a) => {
    const total = references.sum(v, s, a);
    const n = a.reduce((p, i) => p * s[i], 1);
    return { shape: total.shape, values: total.values.map((x) => x / n) };
  },
  variance: (v, s, a) => {
    const m = references.mean(v, s, a);
    const squares = Float64Array.from(v, (x, i) => (x - m.values[ravelKept(i, s, a)]) ** 2);
    return references.mean(squares, s, a);
  },
  logsumexp: (v, s, a) => {
    const m = references.max(v, s, a);
    const e = Float64Array.from(v, (x, i) => Math.exp(x - m.values[ravelKept(i, s, a)]));
    const total = references.sum(e, s, a);
    return { shape: total.shape, values: total.values.map((x, i) => m.values[i] + Math.log(x)) };
  },
};

/** The position in the keepDims result that input element `i` reduces into. */
function ravelKept(i: number, shape: number[], axes: number[]): number {
  return unravel(i, shape).reduce((flat, v, k) => flat * (axes.includes(k) ? 1 : shape[k]) + (axes.includes(k) ? 0 : v), 0);
}

const ops: Record<string, Reduce> = { sum, max, min, mean, variance, logsumexp };

describe('reductions', () => {
  it('match float64 references over random axes, with and without keepDims (f32 and f64)', () => {
    const g = randomGenerator(901);
    for (const [name, fn] of Object.entries(ops)) {
      for (let draw = 0; draw < 12; draw++) {
        // max/min (and so logsumexp) are undefined over empty axes: those get no size-0 dims
        const shape = randomShape(g, { zeroProbability: name === 'sum' ? 0.15 : 0 });
        const axes = randomAxes(g, shape.length);
        const keepDims = g.uniform() < 0.5;
        const values = Float32Array.from(randomValues(g, size(shape), { low: -3, high: 3 }));
        const expected = references[name](values, shape, axes);
        const outShape = keepDims ? expected.shape : shape.filter((_, i) => !axes.includes(i));
        // negative axis numbers select the same axes
        const y = fn(fromArray(values, shape), axes.map((a) => a - shape.length), { keepDims });
        expect(y.shape, `${name} ${shape} ${axes}`).toEqual(outShape);
        expectClose(y.dataSync(), expected.values, { atol: 1e-5, rtol: 1e-5 }, `${name} f32 ${shape} ${axes}`);
        const y64 = fn(fromArray(values, shape, 'f64'), axes, { keepDims });
        expectClose(y64.dataSync(), expected.values, { atol: 1e-13, rtol: 1e-12 }, `${name} f64 ${shape} ${axes}`);
      }
    }
  });

  it('reduce over every axis by default, and over one axis given as a number', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(sum(x).shape).toEqual([]);
    expect(Array.from(sum(x).dataSync())).toEqual([21]);
    expect(Array.from(max(x, 1).dataSync())).toEqual([3, 6]);
    expect(Array.from(min(x, -2, { keepDims: true }).dataSync())).toEqual([1, 2, 3]);
    expect(min(x, -2, { keepDims: true }).shape).toEqual([1, 3]);
  });

  it('handle empty axes, integers, bools, NaN and −∞ as PyTorch does', () => {
    expect(Array.from(sum(zeros([2, 0]), 1).dataSync())).toEqual([0, 0]);
    expect(Number.isNaN(mean(zeros([0])).dataSync()[0])).toBe(true);
    const i = tensor([[1, -2], [3, 4]], undefined, 'i32');
    expect(sum(i).dtype).toBe('i32');
    expect(max(i, 0).dtype).toBe('i32');
    expect(Array.from(max(i, 0).dataSync())).toEqual([3, 4]);
    const b = sum(tensor([1, 0, 1, 1], undefined, 'bool'));
    expect(b.dtype).toBe('i32');
    expect(b.dataSync()[0]).toBe(3);
    expect(Array.from(max(tensor([1, NaN, 3])).dataSync())).toEqual([NaN]);
    expect(Array.from(max(tensor([NaN, 1, 3])).dataSync())).toEqual([NaN]);
    expect(Array.from(min(tensor([1, NaN, -3])).dataSync())).toEqual([NaN]);
    expect(Array.from(logsumexp(tensor([[-Infinity, -Infinity], [0, -Infinity]]), 1).dataSync())).toEqual([-Infinity, 0]);
    expectClose(logsumexp(tensor([1000, 1000], undefined, 'f64')).dataSync(), [1000 + Math.LN2], { atol: 1e-12 });
  });

  it('throw typed errors for bad axes, empty max axes and unsupported dtypes', () => {
    const x = zeros([2, 3]);
    expect(() => sum(x, [0, -2])).toThrow(ShapeError);
    expect(() => sum(x, [0, -2])).toThrow('sum: axes repeats an axis; expected distinct axes, got [0,-2].');
    expect(() => mean(x, 2)).toThrow('mean: axes is out of range; expected an integer in [-2, 1], got 2.');
    expect(() => max(zeros([0, 3]), 0)).toThrow('max: axes reduce an empty axis; expected a non-empty axis (max of nothing is undefined), got axis 0 of (0,3).');
    expect(() => min(zeros([0, 3]))).toThrow(ShapeError);
    expect(() => mean(tensor([1], undefined, 'i32'))).toThrow(DTypeError);
    expect(() => mean(tensor([1], undefined, 'i32'))).toThrow("mean: argument 'x' has an unsupported dtype; expected a float tensor (f32 | f64 | f16), got i32.");
    expect(() => max(tensor([1], undefined, 'bool'))).toThrow(DTypeError);
    expect(() => logsumexp(tensor([1], undefined, 'i32'))).toThrow(DTypeError);
  });

  it('pass gradcheck over random axes', () => {
    const g = randomGenerator(902);
    for (const [name, fn] of Object.entries(ops)) {
      for (const [shape, axes] of [[[2, 3, 2], [1]], [[2, 3], [0, 1]], [[3, 2, 2], [0, 2]], [[4], []]] as [number[], number[]][]) {
        const values = randomValues(g, size(shape), { low: -2, high: 2 });
        expect(() => gradcheck((x) => fn(x, axes, { keepDims: axes.length === 1 }), [{ values, shape }]), `${name} ${shape} ${axes}`).not.toThrow();
      }
    }
  });

  it('share the gradient of max evenly between ties', () => {
    const x = tensor([[1, 3, 3], [2, 0, 1]]).requireGrad();
    max(x, 1).backward(tensor([6, 1]));
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 3, 3, 1, 0, 0]);
    x.dispose();
  });

  it('keepDims preserves the rank, and dropping the axes removes exactly them (property)', () => {
    const shapes = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 4 });
    fc.assert(fc.property(shapes, fc.integer({ min: 0, max: 1e6 }), (shape, seed) => {
      const axes = randomAxes(randomGenerator(seed), shape.length);
      const x = zeros(shape);
      try {
        for (const fn of [sum, max, mean, logsumexp]) {
          const kept = fn(x, axes, { keepDims: true });
          const dropped = fn(x, axes);
          expect(kept.rank).toBe(shape.length);
          expect(kept.shape).toEqual(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
          expect(dropped.shape).toEqual(shape.filter((_, i) => !axes.includes(i)));
          kept.dispose();
          dropped.dispose();
        }
      } finally {
        x.dispose();
      }
    }), { seed: 11, numRuns: 100 });
  });

  it('free their intermediates and are deterministic', () => {
    const g = randomGenerator(903);
    const x = fromArray(randomValues(g, 60), [3, 4, 5]);
    const before = memory().liveTensors;
    for (const fn of Object.values(ops)) {
      const a = fn(x, [0, 2]);
      const b = fn(x, [0, 2]);
      expect(memory().liveTensors).toBe(before + 2);
      expect(Buffer.from(a.dataSync().buffer).equals(Buffer.from(b.dataSync().buffer))).toBe(true);
      a.dispose();
      b.dispose();
    }
  });
});

describe('argmax', () => {
  it('gives the index of the first maximum along an axis of random shapes', () => {
    const g = randomGenerator(904);
    for (let draw = 0; draw < 20; draw++) {
      const shape = randomShape(g, { minRank: 1, zeroProbability: 0 });
      const axis = Math.floor(g.uniform() * shape.length);
      const values = randomIntegers(g, size(shape), 0, 3); // small integers: many ties
      const outShape = shape.filter((_, i) => i !== axis);
      const expected = Array.from({ length: size(outShape) }, (_, o) => {
        const index = unravel(o, outShape);
        let best = 0;
        for (let k = 1; k < shape[axis]; k++) {
          const at = (j: number) => { const full = [...index]; full.splice(axis, 0, j); return values[full.reduce((f, v, d) => f * shape[d] + v, 0)]; };
          if (at(k) > at(best)) best = k;
        }
        return best;
      });
      const y = argmax(fromArray(values, shape), axis);
      expect(y.dtype).toBe('i32');
      expect(y.shape).toEqual(outShape);
      expect(Array.from(y.dataSync()), `${shape} axis ${axis}`).toEqual(expected);
      expect(argmax(fromArray(values, shape), axis, { keepDims: true }).shape).toEqual(shape.map((d, i) => (i === axis ? 1 : d)));
    }
  });

  it('treats NaN as the maximum, takes i32, and records no gradient', () => {
    expect(Array.from(argmax(tensor([1, NaN, 5, NaN])).dataSync())).toEqual([1]);
    expect(Array.from(argmax(tensor([-Infinity, -Infinity])).dataSync())).toEqual([0]);
    expect(Array.from(argmax(tensor([[3, 9], [7, 1]], undefined, 'i32'), 0).dataSync())).toEqual([1, 0]);
    const x = tensor([1, 2]).requireGrad();
    expect(argmax(x).requiresGrad).toBe(false);
    x.dispose();
  });

  it('throws a ShapeError for an empty axis and a DTypeError for bool', () => {
    expect(() => argmax(zeros([2, 0]))).toThrow('argmax: axis is empty; expected a non-empty axis, got (2,0).');
    expect(() => argmax(zeros([2]), 1)).toThrow(ShapeError);
    expect(() => argmax(tensor([1], undefined, 'bool'))).toThrow(DTypeError);
  });
});

describe('sumTo', () => {
  it('undoes broadcasting for random shapes', () => {
    const g = randomGenerator(905);
    for (let draw = 0; draw < 20; draw++) {
      const target = randomShape(g, { maxRank: 3, maxDim: 3 });
      const lead = randomShape(g, { maxRank: 2, maxDim: 3, zeroProbability: 0 });
      const big = [...lead, ...target.map((d) => (d === 1 ? 1 + Math.floor(g.uniform() * 3) : d))];
      const values = randomValues(g, size(big));
      const axes = big.map((d, i) => i).filter((i) => i < lead.length || (target[i - lead.length] === 1 && big[i] !== 1));
      const expected = reduceReference(values, big, axes, 0, (a, v) => a + v);
      const y = sumTo(fromArray(values, big, 'f64'), target);
      expect(y.shape).toEqual(target);
      expectClose(y.dataSync(), expected.values, { atol: 1e-13 });
    }
  });

  it('returns a detached alias when the shape already matches, and inverts expand', () => {
    const x = tensor([1, 2]).requireGrad();
    const same = sumTo(x, [2]);
    expect(same).not.toBe(x);
    expect(same.storage).toBe(x.storage);
    expect(same.requiresGrad).toBe(false);
    expect(Array.from(sumTo(expand(tensor([[1], [2]]), [3, 2, 4]), [2, 1]).dataSync())).toEqual([12, 24]);
    x.dispose();
  });
});
