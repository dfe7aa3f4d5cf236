// Elementwise kernels (unary, binary, where, cast, contiguous, pad) against the CPU reference on
// seeded random inputs: odd sizes, broadcasting, strided views (transposes, slices with an
// offset, expanded axes), mixed dtypes and the special values where WGSL leaves results open.
import {
  abs, add, cast, ceil, contiguous, cos, div, eq, erf, exp, expand, floor, ge, gt, le, log, logicalAnd, logicalNot, logicalOr,
  lt, maximum, minimum, mul, ne, neg, pad, permute, pow, reciprocal, relu, reshape, round, rsqrt, sigmoid, sign, sin, slice, sqrt,
  square, sub, tanh, transpose, where, type DType, type Tensor,
} from '@longshort/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { backendForTests, compareWithReference } from '../test-support.js';

const backend = await backendForTests();

const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -2.5, 0.5, 1.5, 2.5, 3e9, -3e9, 100, -100];

describe.skipIf(!backend)('elementwise kernels on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());

  const unaryOps: [string, (x: Tensor) => Tensor, number, number][] = [
    ['neg', neg, -3, 3], ['abs', abs, -3, 3], ['exp', exp, -5, 5], ['log', log, 0.01, 10], ['sqrt', sqrt, 0, 10],
    ['rsqrt', rsqrt, 0.01, 10], ['tanh', tanh, -12, 12], ['erf', erf, -4, 4], ['sin', sin, -20, 20], ['cos', cos, -20, 20],
    ['relu', relu, -3, 3], ['sigmoid', sigmoid, -20, 20], ['sign', sign, -3, 3], ['floor', floor, -3, 3], ['ceil', ceil, -3, 3],
    ['round', round, -3, 3], ['reciprocal', reciprocal, 0.1, 3], ['square', square, -3, 3],
  ];

  it.each(unaryOps)('%s matches the reference on a strided (3,5,7) view', async (_name, op, low, high) => {
    await compareWithReference(gpu, (x) => op(permute(x, [2, 0, 1])), [{ shape: [5, 7, 3], low, high }], { seed: 7 });
  });

  it.each(unaryOps)('%s handles NaN, ±∞ and signed zeros as the reference', async (name, op) => {
    // NOTE: sin/cos of |x| > 1e5 use WGSL's builtins (no exact reduction), so those are left out.
    const values = ['sin', 'cos'].includes(name) ? specials.filter((v) => !(Math.abs(v) > 1e5)) : specials;
    await compareWithReference(gpu, op, [{ shape: [values.length], values }]);
  });

  it.each<[string, (x: Tensor) => Tensor]>([['neg', neg], ['abs', abs], ['relu', relu], ['sign', sign], ['floor', floor], ['ceil', ceil], ['round', round], ['square', square]])(
    '%s keeps i32', async (_name, op) => {
      const { dtype } = await compareWithReference(gpu, op, [{ shape: [4, 9], dtype: 'i32', low: -50, high: 50 }]);
      expect(dtype).toBe('i32');
    });

  it.each<DType>(['f32', 'i32', 'bool'])('logicalNot of %s', async (dtype) => {
    await compareWithReference(gpu, logicalNot, [{ shape: [3, 11], dtype, low: -1, high: 1 }]);
  });

  const binaryOps: [string, (a: Tensor, b: Tensor) => Tensor, number, number][] = [
    ['add', add, -3, 3], ['sub', sub, -3, 3], ['mul', mul, -3, 3], ['div', div, 0.5, 3], ['pow', pow, 0.1, 3],
    ['maximum', maximum, -3, 3], ['minimum', minimum, -3, 3],
  ];

  it.each(binaryOps)('%s broadcasts (4,1,3) with (5,1) and with a strided operand', async (_name, op, low, high) => {
    await compareWithReference(gpu, op, [{ shape: [4, 1, 3], low, high }, { shape: [5, 1], low, high }], { seed: 3 });
    await compareWithReference(gpu, (a, b) => op(transpose(a), slice(b, [1, 0], [4, 3])), [{ shape: [3, 3], low, high }, { shape: [5, 3], low, high }]);
  });

  it.each<[string, (a: Tensor, b: Tensor) => Tensor]>([['eq', eq], ['ne', ne], ['lt', lt], ['le', le], ['gt', gt], ['ge', ge]])(
    '%s compares with ties, NaN and infinities', async (_name, op) => {
      const values = [1, 2, NaN, Infinity, -Infinity, 0, -0, 3];
      const { dtype } = await compareWithReference(gpu, op, [{ shape: [8, 1], values }, { shape: [1, 8], values }]);
      expect(dtype).toBe('bool');
    });

  it('maximum and minimum propagate NaN', async () => {
    const a = [NaN, 1, NaN, -Infinity];
    const b = [2, NaN, NaN, 5];
    await compareWithReference(gpu, maximum, [{ shape: [4], values: a }, { shape: [4], values: b }]);
    await compareWithReference(gpu, minimum, [{ shape: [4], values: a }, { shape: [4], values: b }]);
  });

  it('pow of negative bases, zero and integer exponents', async () => {
    const base = [-2, -2, -2, -0.5, 0, 0, 2, -3, 4];
    const exponent = [3, 2, 0.5, -1, 2, -1, 0, 0, 0.5];
    await compareWithReference(gpu, pow, [{ shape: [9], values: base }, { shape: [9], values: exponent }]);
    await compareWithReference(gpu, pow, [{ shape: [6], dtype: 'i32', values: [2, -3, 5, 1, -1, 7] }, { shape: [6], dtype: 'i32', values: [10, 3, -1, -5, -3, 0] }]);
  });

  it('divides by zero into infinities', async () => {
    await compareWithReference(gpu, div, [{ shape: [4], values: [1, -1, 0, 2] }, { shape: [4], values: [0, 0, 0, -0] }]);
  });

  it.each<[string, (a: Tensor, b: Tensor) => Tensor, DType, DType]>([
    ['add', add, 'f32', 'i32'], ['mul', mul, 'i32', 'i32'], ['sub', sub, 'i32', 'bool'], ['maximum', maximum, 'i32', 'i32'],
    ['lt', lt, 'f32', 'i32'], ['add', add, 'bool', 'bool'], ['mul', mul, 'bool', 'bool'],
    ['logicalAnd', logicalAnd, 'bool', 'bool'], ['logicalOr', logicalOr, 'f32', 'i32'],
  ])('%s of %s and %s', async (_name, op, da, db) => {
    await compareWithReference(gpu, op, [{ shape: [2, 3, 4], dtype: da, low: -3, high: 3 }, { shape: [3, 1], dtype: db, low: -3, high: 3 }]);
  });

  it('where broadcasts its three inputs, converting to the promoted dtype', async () => {
    await compareWithReference(gpu, where, [{ shape: [3, 1, 4], dtype: 'bool' }, { shape: [5, 1], dtype: 'i32', low: -9, high: 9 }, { shape: [4] }]);
    await compareWithReference(gpu, (c, a, b) => where(transpose(c), a, slice(b, [2])),
      [{ shape: [6, 3], dtype: 'bool' }, { shape: [3, 6] }, { shape: [8] }]);
  });

  it.each<[DType, DType]>([['f32', 'i32'], ['f32', 'bool'], ['i32', 'f32'], ['i32', 'bool'], ['bool', 'f32'], ['bool', 'i32'], ['f32', 'f32']])(
    'cast %s to %s', async (from, to) => {
      await compareWithReference(gpu, (x) => cast(transpose(x), to), [{ shape: [7, 5], dtype: from, low: -20, high: 20 }]);
    });

  it('casts NaN, infinities and out-of-range floats to i32 as the reference (ToInt32)', async () => {
    await compareWithReference(gpu, (x) => cast(x, 'i32'), [{ shape: [specials.length + 3], values: [...specials, 2 ** 31, -(2 ** 31), 1e20] }]);
    await compareWithReference(gpu, (x) => cast(x, 'bool'), [{ shape: [specials.length], values: specials }]);
  });

  it.each<DType>(['f32', 'i32', 'bool'])('contiguous copies permuted, sliced and expanded %s views', async (dtype) => {
    await compareWithReference(gpu, (x) => contiguous(permute(x, [3, 1, 0, 2])), [{ shape: [2, 3, 4, 5], dtype }]);
    await compareWithReference(gpu, (x) => contiguous(slice(x, [1, 2, 0], [3, 5, 3])), [{ shape: [4, 6, 5], dtype }]);
    await compareWithReference(gpu, (x) => contiguous(expand(slice(x, [0, 1], [3, 2]), [2, 3, 4])), [{ shape: [3, 3], dtype }]);
  });

  it('falls back to the CPU (counted) for views with more than 8 axes that cannot merge', async () => {
    const before = gpu.stats().fallbacks.contiguous ?? 0;
    const shape = [2, 2, 2, 2, 2, 2, 2, 2, 2];
    await compareWithReference(gpu, (x) => contiguous(permute(x, [8, 7, 6, 5, 4, 3, 2, 1, 0])), [{ shape }]);
    expect(gpu.stats().fallbacks.contiguous).toBe(before + 1);
  });

  it.each<[DType, number]>([['f32', -1.5], ['i32', 7], ['bool', 1], ['f32', -Infinity]])('pad of %s with value %s on a strided input', async (dtype, value) => {
    await compareWithReference(gpu, (x) => pad(transpose(x), [[1, 2], [0, 3]], value), [{ shape: [3, 4], dtype }]);
    await compareWithReference(gpu, (x) => pad(reshape(x, [2, 3, 2]), [[0, 1], [2, 0], [1, 1]], value), [{ shape: [12], dtype }]);
  });
});
