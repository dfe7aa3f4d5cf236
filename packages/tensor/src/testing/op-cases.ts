// The cases of the backend conformance suite (architecture guide B.4: one suite for every
// backend, as tfjs runs its op tests everywhere): each names an op configuration, draws its
// inputs from a seed, runs the op on one backend, and says whether input gradients are compared
// and with which tolerance (the guide's f32 table; gradients get ten times more).
import type { Backend } from '../backend/spec.js';
import type { DType } from '../dtype.js';
import {
  abs, add, arange, argmax, cast, ceil, chunk, concat, contiguous, conv2d, cos, crossEntropy, div, dropout, embedding,
  eq, erf, exp, expand, flatten, floor, full, fullLike, gather, ge, gelu, Generator, gt, indexSelect, layerNorm, le,
  linear, log, logicalAnd, logicalNot, logicalOr, logSoftmax, logsumexp, lt, maskedFill, matmul, max, maximum, mean, min,
  minimum, mul, narrow, ne, neg, ones, onesLike, pad, permute, pow, randomInt, randomNormal, randomUniform, reciprocal,
  relu, reshape, round, rsqrt, scatterAdd, sigmoid, sign, sin, slice, softmax, split, sqrt, square, squeeze, stack, sub,
  sum, sumTo, tanh, transpose, unsqueeze, variance, where, zeros, zerosLike, type Conv2dOptions,
} from '../index.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import {
  broadcastPartner, randomBools, randomIntegers, randomShape, randomValues, uniformInt, type ShapeOptions, type ValueOptions,
} from './arbitraries.js';
import type { Tolerance } from './expect-close.js';

/** One input of a case: host values (any dtype is given as float64 numbers), shape and dtype. */
export interface CaseInput {
  readonly values: Float64Array;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface OpCase {
  /** `<op>` or `<op>/<variant>`; conformance filters match on it. */
  readonly name: string;
  /** Draws the inputs from a seeded generator (the same draw feeds every backend). */
  readonly inputs: (g: Generator) => CaseInput[];
  /** Runs the op on the inputs (all on `backend`); anything it creates must go there too. */
  readonly run: (inputs: readonly Tensor[], backend: Backend) => Tensor;
  /** Whether the gradients of the float inputs (of Σ output · w, w random) are compared. */
  readonly grad: boolean;
  /** Forward tolerance; gradients use `gradientToleranceFactor` times it (at least the elementwise one). */
  readonly tolerance: Tolerance;
}

/** The f32 tolerances of the architecture guide. */
export const tolerances = {
  exact: { atol: 0, rtol: 0 },
  elementwise: { atol: 1e-6, rtol: 1e-5 },
  reduction: { atol: 1e-4, rtol: 1e-4 },
} as const satisfies Record<string, Tolerance>;

/** Gradients are compared with this many times the forward tolerance. */
export const gradientToleranceFactor = 10;

const input = (values: Float64Array, shape: readonly number[], dtype: DType = 'f32'): CaseInput => ({ values, shape, dtype });
const floats = (g: Generator, shape: readonly number[], options: ValueOptions = {}) => input(randomValues(g, sizeOf(shape), options), shape);
const ints = (g: Generator, shape: readonly number[], low: number, high: number, dtype: DType = 'i32') => input(randomIntegers(g, sizeOf(shape), low, high), shape, dtype);
const bools = (g: Generator, shape: readonly number[]) => input(randomBools(g, sizeOf(shape)), shape, 'bool');
/** Shapes without empty dimensions, for ops that reduce or index along them. */
const full1: ShapeOptions = { zeroProbability: 0 };

function unary(name: string, fn: (x: Tensor) => Tensor, values: ValueOptions = {}, grad = true): OpCase {
  return { name, inputs: (g) => [floats(g, randomShape(g), values)], run: ([x]) => fn(x), grad, tolerance: tolerances.elementwise };
}

/** Two operands whose shapes broadcast (in either order). */
function broadcastPair(g: Generator): [number[], number[]] {
  const a = randomShape(g);
  const b = broadcastPartner(g, a);
  return g.uniform() < 0.5 ? [a, b] : [b, a];
}

/** A shape that broadcasts to `shape`: a suffix of it with some axes set to 1. */
function broadcastsTo(g: Generator, shape: readonly number[]): number[] {
  return shape.slice(shape.length - uniformInt(g, 0, shape.length)).map((d) => (g.uniform() < 0.3 ? 1 : d));
}

function binary(name: string, fn: (a: Tensor, b: Tensor) => Tensor, a: ValueOptions = {}, b: ValueOptions = a): OpCase {
  return {
    name,
    inputs: (g) => {
      const [sa, sb] = broadcastPair(g);
      return [floats(g, sa, a), floats(g, sb, b)];
    },
    run: ([x, y]) => fn(x, y),
    grad: true,
    tolerance: tolerances.elementwise,
  };
}

/** A comparison on small integers stored as f32, so that ties happen. */
function comparison(name: string, fn: (a: Tensor, b: Tensor) => Tensor): OpCase {
  return {
    name,
    inputs: (g) => {
      const [sa, sb] = broadcastPair(g);
      return [ints(g, sa, -2, 2, 'f32'), ints(g, sb, -2, 2, 'f32')];
    },
    run: ([x, y]) => fn(x, y),
    grad: false,
    tolerance: tolerances.exact,
  };
}

/** Reduction axes and keepDims picked from the shape itself, so they vary with the random shape. */
function axesFor(shape: readonly number[]): { axes: number[]; keepDims: boolean } {
  return { axes: shape.flatMap((d, i) => ((d + i) % 2 === 1 ? [i] : [])), keepDims: shape.length % 2 === 1 };
}

function reduction(name: string, fn: (x: Tensor, axes: number[], keepDims: boolean) => Tensor, shape: ShapeOptions = {}, values: ValueOptions = {}): OpCase {
  return {
    name,
    inputs: (g) => [floats(g, randomShape(g, shape), values)],
    run: ([x]) => {
      const { axes, keepDims } = axesFor(x.shape);
      return fn(x, axes, keepDims);
    },
    grad: true,
    tolerance: tolerances.reduction,
  };
}

function matmulCase(name: string, shapes: (g: Generator) => [number[], number[]], options: { transposeA?: boolean; transposeB?: boolean } = {}): OpCase {
  return {
    name,
    inputs: (g) => shapes(g).map((s) => floats(g, s)),
    run: ([a, b]) => matmul(a, b, options),
    grad: true,
    tolerance: tolerances.reduction,
  };
}

const dim = (g: Generator, low = 1, high = 4) => uniformInt(g, low, high);

/** An axis picked from the shape itself (like `axesFor`), so that it varies with the random shape. */
const axisFor = (shape: readonly number[]) => shape.reduce((a, b) => a + b, 0) % shape.length;

/** x and an i32 index that fits it for gather/scatterAdd along `axis` (index.shape[d] <= x.shape[d]). */
function indexFor(g: Generator, shape: readonly number[], axis: number): CaseInput {
  const indexShape = shape.map((d, i) => (i === axis ? dim(g, 1, 5) : uniformInt(g, 1, d)));
  return ints(g, indexShape, 0, shape[axis] - 1);
}

function conv2dCase(name: string, options: Conv2dOptions, channels: [number, number] = [3, 4]): OpCase {
  const groups = options.groups ?? 1;
  return {
    name,
    inputs: (g) => {
      const [cin, cout] = channels;
      const [h, w] = [dim(g, 4, 7), dim(g, 4, 7)];
      return [floats(g, [dim(g, 1, 2), cin, h, w]), floats(g, [cout, cin / groups, 3, dim(g, 1, 3)]), floats(g, [cout])];
    },
    run: ([x, w, b]) => conv2d(x, w, b, options),
    grad: true,
    tolerance: tolerances.reduction,
  };
}

/** Every case of the conformance suite. */
export const opCases: readonly OpCase[] = [
  // Unary elementwise (value ranges keep away from poles and kinks, where gradients are ill-defined).
  unary('neg', neg),
  unary('abs', abs, { avoid: [0] }),
  unary('exp', exp, { low: -3, high: 3 }),
  unary('log', log, { low: 0.1, high: 4 }),
  unary('sqrt', sqrt, { low: 0.1, high: 4 }),
  unary('rsqrt', rsqrt, { low: 0.1, high: 4 }),
  unary('tanh', tanh, { low: -3, high: 3 }),
  unary('erf', erf, { low: -4, high: 4 }),
  unary('sin', sin, { low: -4, high: 4 }),
  unary('cos', cos, { low: -4, high: 4 }),
  unary('relu', relu, { avoid: [0] }),
  unary('sigmoid', sigmoid, { low: -6, high: 6 }),
  unary('sign', sign, { avoid: [0] }),
  unary('floor', floor, { low: -3, high: 3 }),
  unary('ceil', ceil, { low: -3, high: 3 }),
  unary('round', round, { low: -3, high: 3 }),
  {
    name: 'round/halves',
    inputs: (g) => [input(randomIntegers(g, 12, -4, 4).map((v) => v + 0.5), [12])],
    run: ([x]) => round(x),
    grad: false,
    tolerance: tolerances.exact,
  },
  unary('reciprocal', reciprocal, { low: -3, high: 3, avoid: [0], margin: 0.3 }),
  unary('square', square),
  { name: 'logicalNot', inputs: (g) => [bools(g, randomShape(g))], run: ([x]) => logicalNot(x), grad: false, tolerance: tolerances.exact },
  { name: 'neg/i32', inputs: (g) => [ints(g, randomShape(g), -9, 9)], run: ([x]) => neg(x), grad: false, tolerance: tolerances.exact },
  { name: 'abs/i32', inputs: (g) => [ints(g, randomShape(g), -9, 9)], run: ([x]) => abs(x), grad: false, tolerance: tolerances.exact },

  // Binary elementwise with broadcasting.
  binary('add', add),
  binary('sub', sub),
  binary('mul', mul),
  binary('div', div, { low: -3, high: 3 }, { low: -3, high: 3, avoid: [0], margin: 0.3 }),
  binary('pow', pow, { low: 0.2, high: 3 }, { low: -2, high: 2 }),
  binary('maximum', maximum),
  binary('minimum', minimum),
  comparison('eq', eq),
  comparison('ne', ne),
  comparison('lt', lt),
  comparison('le', le),
  comparison('gt', gt),
  comparison('ge', ge),
  {
    name: 'logicalAnd',
    inputs: (g) => broadcastPair(g).map((s) => bools(g, s)),
    run: ([a, b]) => logicalAnd(a, b),
    grad: false,
    tolerance: tolerances.exact,
  },
  {
    name: 'logicalOr',
    inputs: (g) => broadcastPair(g).map((s) => bools(g, s)),
    run: ([a, b]) => logicalOr(a, b),
    grad: false,
    tolerance: tolerances.exact,
  },
  unary('add/scalar', (x) => add(x, 2.5)),
  unary('mul/scalar-left', (x) => mul(-1.5, x)),
  unary('sub/scalar-left', (x) => sub(1, x)),
  unary('div/scalar', (x) => div(x, 3)),
  unary('pow/scalar', (x) => pow(x, 3)),
  {
    name: 'add/f32-i32',
    inputs: (g) => {
      const [sa, sb] = broadcastPair(g);
      return [floats(g, sa), ints(g, sb, -3, 3)];
    },
    run: ([a, b]) => add(a, b),
    grad: true,
    tolerance: tolerances.elementwise,
  },
  {
    name: 'mul/i32',
    inputs: (g) => broadcastPair(g).map((s) => ints(g, s, -20, 20)),
    run: ([a, b]) => mul(a, b),
    grad: false,
    tolerance: tolerances.exact,
  },
  {
    name: 'div/i32',
    inputs: (g) => {
      const [sa, sb] = broadcastPair(g);
      return [ints(g, sa, -20, 20), input(randomIntegers(g, sizeOf(sb), 1, 7).map((v, i) => (i % 2 ? -v : v)), sb, 'i32')];
    },
    run: ([a, b]) => div(a, b),
    grad: false,
    tolerance: tolerances.elementwise,
  },
  {
    name: 'add/strided',
    inputs: (g) => {
      const [m, n] = [dim(g), dim(g)];
      return [floats(g, [m, n]), floats(g, [n, m])];
    },
    run: ([a, b]) => add(transpose(a), b),
    grad: true,
    tolerance: tolerances.elementwise,
  },
  {
    name: 'mul/expanded',
    inputs: (g) => {
      const [m, n] = [dim(g), dim(g)];
      return [floats(g, [m, 1]), floats(g, [m, n])];
    },
    run: ([a, b]) => mul(expand(a, b.shape), slice(b, [0, 0])),
    grad: true,
    tolerance: tolerances.elementwise,
  },

  // Selection and dtype conversion.
  {
    name: 'where',
    inputs: (g) => {
      const [sc, sa] = broadcastPair(g);
      const sb = broadcastsTo(g, broadcastShapes('where', sc, sa)); // compatible with both
      return [bools(g, sc), floats(g, sa), floats(g, sb)];
    },
    run: ([c, a, b]) => where(c, a, b),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'maskedFill',
    inputs: (g) => {
      const [sx, sm] = broadcastPair(g);
      return [floats(g, sx), bools(g, sm)];
    },
    run: ([x, m]) => maskedFill(x, m, -7.25),
    grad: true,
    tolerance: tolerances.exact,
  },
  { name: 'cast/f32-i32', inputs: (g) => [floats(g, randomShape(g), { low: -5, high: 5 })], run: ([x]) => cast(x, 'i32'), grad: false, tolerance: tolerances.exact },
  { name: 'cast/i32-f32', inputs: (g) => [ints(g, randomShape(g), -100, 100)], run: ([x]) => cast(x, 'f32'), grad: false, tolerance: tolerances.exact },
  { name: 'cast/f32-bool', inputs: (g) => [ints(g, randomShape(g), -1, 1, 'f32')], run: ([x]) => cast(x, 'bool'), grad: false, tolerance: tolerances.exact },
  { name: 'cast/bool-f32', inputs: (g) => [bools(g, randomShape(g))], run: ([x]) => cast(x, 'f32'), grad: false, tolerance: tolerances.exact },
  { name: 'cast/bool-i32', inputs: (g) => [bools(g, randomShape(g))], run: ([x]) => cast(x, 'i32'), grad: false, tolerance: tolerances.exact },
  unary('cast/f32-f32', (x) => cast(x, 'f32')),

  // Layout: contiguous copies of views, and the views themselves (read back through contiguous).
  {
    name: 'contiguous/permute',
    inputs: (g) => [floats(g, randomShape(g, { minRank: 3, maxRank: 3 }))],
    run: ([x]) => contiguous(permute(x, [2, 0, 1])),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'contiguous/slice',
    inputs: (g) => [floats(g, [dim(g, 2, 5), dim(g, 2, 5)])],
    run: ([x]) => contiguous(slice(x, [1, 1], [-1, x.shape[1]])),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'contiguous/expand',
    inputs: (g) => [floats(g, [dim(g), 1])],
    run: ([x]) => contiguous(expand(x, [2, x.shape[0], 3])),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'reshape',
    inputs: (g) => [floats(g, randomShape(g))],
    run: ([x]) => reshape(x, [-1]),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'reshape/copy',
    inputs: (g) => [floats(g, [dim(g, 2), dim(g, 2), dim(g)])],
    run: ([x]) => reshape(transpose(x, 0, 1), [x.shape[1], -1]),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'permute',
    inputs: (g) => [floats(g, randomShape(g, { minRank: 4, maxRank: 4 }))],
    run: ([x]) => permute(x, [3, 1, 0, 2]),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'transpose',
    inputs: (g) => [floats(g, randomShape(g, { minRank: 2 }))],
    run: ([x]) => transpose(x),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'expand',
    inputs: (g) => [floats(g, [1, dim(g)])],
    run: ([x]) => expand(x, [3, -1]),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'slice',
    inputs: (g) => [floats(g, randomShape(g, { minRank: 1, maxDim: 5 }))],
    run: ([x]) => slice(x, x.shape.map((d) => Math.floor(d / 3)), x.shape.map((d) => -Math.floor(d / 4))),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'narrow',
    inputs: (g) => [floats(g, [dim(g), dim(g, 3, 5)])],
    run: ([x]) => narrow(x, 1, 1, 2),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'unsqueeze',
    inputs: (g) => [floats(g, randomShape(g, { maxRank: 3 }))],
    run: ([x]) => unsqueeze(x, -1),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'squeeze',
    inputs: (g) => [floats(g, [1, dim(g), 1])],
    run: ([x]) => squeeze(x),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'flatten',
    inputs: (g) => [floats(g, randomShape(g, { minRank: 3, maxRank: 4 }))],
    run: ([x]) => flatten(transpose(x), 1),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'pad',
    inputs: (g) => [floats(g, randomShape(g, { minRank: 1, maxRank: 3 }))],
    run: ([x]) => pad(x, x.shape.map((_, i) => [i % 2, (i + 1) % 3] as [number, number]), 0.5),
    grad: true,
    tolerance: tolerances.exact,
  },

  // Creation on the backend.
  { name: 'full', inputs: () => [], run: (_, backend) => full([2, 3], 1.5, 'f32', backend), grad: false, tolerance: tolerances.exact },
  { name: 'zeros/i32', inputs: () => [], run: (_, backend) => zeros([3, 0, 2], 'i32', backend), grad: false, tolerance: tolerances.exact },
  { name: 'ones/bool', inputs: () => [], run: (_, backend) => ones([4], 'bool', backend), grad: false, tolerance: tolerances.exact },
  { name: 'arange/f32', inputs: () => [], run: (_, backend) => arange(-1, 2, 0.25, 'f32', backend), grad: false, tolerance: tolerances.exact },
  { name: 'arange/i32', inputs: () => [], run: (_, backend) => arange(7, 0, -2, 'i32', backend), grad: false, tolerance: tolerances.exact },
  // Seeded random tensors: drawn on the host from the Generator, so identical on every backend.
  { name: 'randomUniform', inputs: () => [], run: (_, backend) => randomUniform([3, 5], { low: -2, high: 2, generator: new Generator(11), backend }), grad: false, tolerance: tolerances.exact },
  { name: 'randomNormal', inputs: () => [], run: (_, backend) => randomNormal([4, 4], { generator: new Generator(12), backend }), grad: false, tolerance: tolerances.exact },
  { name: 'randomInt', inputs: () => [], run: (_, backend) => randomInt([10], -5, 5, { generator: new Generator(13), backend }), grad: false, tolerance: tolerances.exact },
  { name: 'zerosLike', inputs: (g) => [floats(g, randomShape(g))], run: ([x]) => zerosLike(x), grad: false, tolerance: tolerances.exact },
  { name: 'onesLike', inputs: (g) => [ints(g, randomShape(g), 0, 1)], run: ([x]) => onesLike(x), grad: false, tolerance: tolerances.exact },
  { name: 'fullLike', inputs: (g) => [floats(g, randomShape(g))], run: ([x]) => fullLike(x, -3), grad: false, tolerance: tolerances.exact },

  // Reductions over random axes (keepDims drawn too).
  reduction('sum', (x, axes, keepDims) => sum(x, axes, { keepDims })),
  unary('sum/all', (x) => sum(x)),
  { name: 'sum/i32', inputs: (g) => [ints(g, randomShape(g), -50, 50)], run: ([x]) => sum(x, -1), grad: false, tolerance: tolerances.exact },
  { name: 'sum/bool', inputs: (g) => [bools(g, randomShape(g))], run: ([x]) => sum(x), grad: false, tolerance: tolerances.exact },
  reduction('max', (x, axes, keepDims) => max(x, axes, { keepDims }), full1),
  reduction('min', (x, axes, keepDims) => min(x, axes, { keepDims }), full1),
  { name: 'max/i32', inputs: (g) => [ints(g, randomShape(g, { minRank: 1, ...full1 }), -50, 50)], run: ([x]) => max(x, 0), grad: false, tolerance: tolerances.exact },
  reduction('mean', (x, axes, keepDims) => mean(x, axes, { keepDims }), full1),
  reduction('variance', (x, axes, keepDims) => variance(x, axes, { keepDims }), full1),
  reduction('logsumexp', (x, axes, keepDims) => logsumexp(x, axes, { keepDims }), full1, { low: -5, high: 5 }),
  {
    name: 'argmax',
    inputs: (g) => [floats(g, randomShape(g, { minRank: 1, ...full1 }))],
    run: ([x]) => argmax(x, 0),
    grad: false,
    tolerance: tolerances.exact,
  },
  { name: 'argmax/ties', inputs: (g) => [ints(g, [4, 6], 0, 2, 'f32')], run: ([x]) => argmax(x, -1, { keepDims: true }), grad: false, tolerance: tolerances.exact },
  {
    name: 'sumTo',
    inputs: (g) => [floats(g, [dim(g), dim(g), dim(g)])],
    run: ([x]) => sumTo(x, [x.shape[1], 1]),
    grad: true,
    tolerance: tolerances.reduction,
  },

  // Matrix products.
  matmulCase('matmul', (g) => {
    const [m, k, n] = [dim(g, 1, 6), dim(g, 1, 6), dim(g, 1, 6)];
    return [[m, k], [k, n]];
  }),
  matmulCase('matmul/batched', (g) => {
    const [m, k, n] = [dim(g), dim(g), dim(g)];
    return [[2, 1, m, k], [3, k, n]];
  }),
  matmulCase('matmul/transposeA', (g) => {
    const [m, k, n] = [dim(g), dim(g), dim(g)];
    return [[2, k, m], [2, k, n]];
  }, { transposeA: true }),
  matmulCase('matmul/transposeB', (g) => {
    const [m, k, n] = [dim(g), dim(g), dim(g)];
    return [[m, k], [2, n, k]];
  }, { transposeB: true }),
  matmulCase('matmul/transposeAB', (g) => {
    const [m, k, n] = [dim(g), dim(g), dim(g)];
    return [[k, m], [n, k]];
  }, { transposeA: true, transposeB: true }),
  matmulCase('matmul/vector', (g) => {
    const [k, n] = [dim(g), dim(g)];
    return [[k], [2, k, n]];
  }),
  matmulCase('matmul/empty-k', (g) => [[dim(g), 0], [0, dim(g)]]),

  // Indexing, joining and convolution.
  {
    name: 'gather',
    inputs: (g) => {
      const shape = randomShape(g, { minRank: 1, maxRank: 3, ...full1 });
      return [floats(g, shape), indexFor(g, shape, axisFor(shape))];
    },
    run: ([x, index]) => gather(x, axisFor(x.shape), index),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'indexSelect',
    inputs: (g) => {
      const shape = [dim(g), dim(g, 2, 5), dim(g)];
      return [floats(g, shape), ints(g, [dim(g, 1, 6)], 0, shape[1] - 1)];
    },
    run: ([x, index]) => indexSelect(x, 1, index),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'embedding',
    inputs: (g) => {
      const vocab = dim(g, 2, 8);
      return [floats(g, [vocab, dim(g)]), ints(g, [dim(g, 1, 3), dim(g, 1, 5)], 0, vocab - 1)];
    },
    run: ([weight, ids]) => embedding(weight, ids),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'scatterAdd',
    inputs: (g) => {
      const shape = [dim(g, 2, 4), dim(g, 2, 4)];
      const index = indexFor(g, shape, 0);
      return [floats(g, shape), index, floats(g, index.shape)];
    },
    run: ([x, index, src]) => scatterAdd(x, 0, index, src),
    grad: true,
    tolerance: tolerances.elementwise,
  },
  {
    name: 'concat',
    inputs: (g) => {
      const [a, b] = [dim(g), dim(g)];
      return [floats(g, [a, dim(g, 0, 3), b]), floats(g, [a, dim(g, 0, 3), b]), floats(g, [a, dim(g, 0, 3), b])];
    },
    run: (xs) => concat(xs, 1),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'concat/strided',
    inputs: (g) => {
      const [a, b] = [dim(g), dim(g)];
      return [floats(g, [b, a]), floats(g, [a, b])];
    },
    run: ([x, y]) => concat([transpose(x), y], 0),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'stack',
    inputs: (g) => {
      const shape = randomShape(g, { maxRank: 3 });
      return [floats(g, shape), floats(g, shape), floats(g, shape)];
    },
    run: (xs) => stack(xs, -1),
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'split',
    inputs: (g) => [floats(g, [dim(g), dim(g, 3, 6)])],
    run: ([x]) => split(x, [1, 2, x.shape[1] - 3], -1)[1],
    grad: true,
    tolerance: tolerances.exact,
  },
  {
    name: 'chunk',
    inputs: (g) => [floats(g, [dim(g, 3, 7), dim(g)])],
    run: ([x]) => chunk(x, 3)[2],
    grad: true,
    tolerance: tolerances.exact,
  },
  conv2dCase('conv2d', {}),
  conv2dCase('conv2d/stride-padding', { stride: 2, padding: 1 }),
  conv2dCase('conv2d/dilation', { dilation: [2, 1], padding: [2, 0] }),
  conv2dCase('conv2d/groups', { groups: 2 }, [4, 6]),

  // Composites (fusable ones may have kernels on a backend; the CPU runs their decomposition).
  { name: 'softmax', inputs: (g) => [floats(g, randomShape(g), { low: -5, high: 5 })], run: ([x]) => softmax(x), grad: true, tolerance: tolerances.reduction },
  { name: 'softmax/axis0', inputs: (g) => [floats(g, randomShape(g, { minRank: 2 }), { low: -5, high: 5 })], run: ([x]) => softmax(x, 0), grad: true, tolerance: tolerances.reduction },
  {
    name: 'softmax/masked',
    inputs: (g) => [floats(g, [3, 5], { low: -5, high: 5 }), input(new Float64Array([1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0]), [3, 5], 'bool')],
    run: ([x, mask]) => softmax(maskedFill(x, mask, -Infinity)),
    grad: true,
    tolerance: tolerances.reduction,
  },
  { name: 'logSoftmax', inputs: (g) => [floats(g, randomShape(g), { low: -5, high: 5 })], run: ([x]) => logSoftmax(x), grad: true, tolerance: tolerances.reduction },
  unary('gelu', (x) => gelu(x), { low: -4, high: 4 }),
  unary('gelu/tanh', (x) => gelu(x, { approximate: 'tanh' }), { low: -4, high: 4 }),
  {
    name: 'layerNorm',
    inputs: (g) => {
      const d = dim(g, 2, 8);
      return [floats(g, [...randomShape(g, { maxRank: 2 }), d], { low: -3, high: 3 }), floats(g, [d]), floats(g, [d])];
    },
    run: ([x, w, b]) => layerNorm(x, w, b),
    grad: true,
    tolerance: tolerances.reduction,
  },
  {
    name: 'linear',
    inputs: (g) => {
      const [i, o] = [dim(g), dim(g)];
      return [floats(g, [...randomShape(g, { maxRank: 2 }), i]), floats(g, [o, i]), floats(g, [o])];
    },
    run: ([x, w, b]) => linear(x, w, b),
    grad: true,
    tolerance: tolerances.reduction,
  },
  unary('dropout', (x) => dropout(x, 0.3, { generator: new Generator(7) })),
  {
    name: 'crossEntropy',
    inputs: (g) => {
      const [n, c] = [dim(g, 1, 6), dim(g, 2, 6)];
      return [floats(g, [n, c], { low: -4, high: 4 }), ints(g, [n], 0, c - 1)];
    },
    run: ([logits, targets]) => crossEntropy(logits, targets),
    grad: true,
    tolerance: tolerances.reduction,
  },
  {
    name: 'crossEntropy/smoothing',
    inputs: (g) => {
      const [b, t, c] = [dim(g, 1, 3), dim(g, 1, 4), dim(g, 2, 5)];
      return [floats(g, [b, t, c], { low: -4, high: 4 }), ints(g, [b, t], 0, c - 1)];
    },
    run: ([logits, targets]) => crossEntropy(logits, targets, { labelSmoothing: 0.1, reduction: 'sum' }),
    grad: true,
    tolerance: tolerances.reduction,
  },
];
