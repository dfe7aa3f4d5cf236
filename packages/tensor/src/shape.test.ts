import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from './index.js';
import { assertValidShape, broadcastShapes, contiguousStrides, isContiguous, normalizeAxes, normalizeAxis, shapesEqual, sizeOf } from './shape.js';
import { numpyBroadcast } from './testing/index.js';

const dims = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 });

describe('shape algebra', () => {
  it('sizes and row-major strides', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 0, 3])).toBe(0);
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(contiguousStrides([2, 0, 3])).toEqual([0, 3, 1]);
    expect(shapesEqual([2, 3], [2, 3])).toBe(true);
    expect(shapesEqual([2, 3], [3, 2])).toBe(false);
    expect(shapesEqual([1], [1, 1])).toBe(false);
  });

  it('isContiguous ignores the strides of size-1 axes', () => {
    expect(isContiguous([2, 3], [3, 1])).toBe(true);
    expect(isContiguous([2, 3], [1, 2])).toBe(false);
    expect(isContiguous([2, 1, 3], [3, 99, 1])).toBe(true);
    expect(isContiguous([3], [0])).toBe(false);
    expect(isContiguous([], [])).toBe(true);
  });

  it('broadcastShapes follows NumPy for any number of shapes (property)', () => {
    fc.assert(fc.property(dims, dims, dims, (a, b, c) => {
      const ab = numpyBroadcast(a, b);
      const abc = ab && numpyBroadcast(ab, c);
      if (abc) expect(broadcastShapes('op', a, b, c)).toEqual(abc);
      else expect(() => broadcastShapes('op', a, b, c)).toThrow(ShapeError);
    }), { seed: 13, numRuns: 100 });
    expect(broadcastShapes('op')).toEqual([]);
    expect(() => broadcastShapes('add', [2, 3], [4])).toThrow('add: operands cannot be broadcast together; expected each dimension equal or 1 (right-aligned), got (2,3) and (4,).');
  });

  it('normalizeAxis maps negative axes and rejects out-of-range ones', () => {
    expect(normalizeAxis(-1, 3, 'op')).toBe(2);
    expect(normalizeAxis(0, 3, 'op')).toBe(0);
    // a rank-0 tensor takes 0 and −1 (PyTorch)
    expect(normalizeAxis(0, 0, 'op')).toBe(0);
    expect(normalizeAxis(-1, 0, 'op')).toBe(0);
    expect(() => normalizeAxis(-2, 0, 'op')).toThrow('op: axis is out of range; expected an integer in [-1, 0], got -2.');
    expect(() => normalizeAxis(3, 3, 'sum')).toThrow('sum: axis is out of range; expected an integer in [-3, 2], got 3.');
    expect(() => normalizeAxis(-4, 3, 'sum', 'dim')).toThrow('sum: dim is out of range');
    expect(() => normalizeAxis(1.5, 3, 'op')).toThrow(ShapeError);
    expect(() => normalizeAxis(1, 0, 'op')).toThrow(ShapeError);
  });

  it('normalizeAxes sorts, defaults to all axes and rejects repeats', () => {
    expect(normalizeAxes(undefined, 3, 'op')).toEqual([0, 1, 2]);
    expect(normalizeAxes(-1, 3, 'op')).toEqual([2]);
    expect(normalizeAxes([2, 0], 3, 'op')).toEqual([0, 2]);
    expect(normalizeAxes([], 3, 'op')).toEqual([]);
    expect(() => normalizeAxes([1, -2], 3, 'mean')).toThrow('mean: axes repeats an axis; expected distinct axes, got [1,-2].');
  });

  it('assertValidShape accepts non-negative integers only', () => {
    expect(() => assertValidShape([0, 2], 'op')).not.toThrow();
    expect(() => assertValidShape([2, -1], 'zeros')).toThrow('zeros: shape has an invalid dimension; expected non-negative integers, got (2,-1).');
    expect(() => assertValidShape([NaN], 'op')).toThrow(ShapeError);
  });
});
