// Reductions over any set of axes with keepDims: sum and max are primitives (kernels + gradient
// rules); mean, min, logsumexp, variance are composed from them. argmax returns i32 indices.
import type { CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { forEachStrided } from '../../backends/cpu/cpu-kernel.js';
import type { DType } from '../../dtype.js';
import { ShapeError, formatShape } from '../../errors/index.js';
import { contiguousStrides, normalizeAxes, normalizeAxis, shapesEqual } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { tidy } from '../../scope.js';
import { applyOp } from '../apply.js';
import { add, div, eq, mul, sub } from '../binary/binary.js';
import { cast } from '../cast/cast.js';
import { defineOp } from '../define-op.js';
import { exp, log, neg } from '../unary/unary.js';
import { expand, reshape } from '../views/views.js';
import { where } from '../where/where.js';
import { assertDType, assertFloat } from '../validate.js';

export interface ReduceAttrs {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

export interface ReduceOptions {
  readonly keepDims?: boolean;
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

const sumDType = (dtype: DType): DType => (dtype === 'bool' ? 'i32' : dtype);

/** Broadcasts a reduced gradient back over the reduced axes. */
function expandBack(g: Tensor, input: Tensor, axes: readonly number[]): Tensor {
  return expand(reshape(g, reducedShape(input.shape, axes, true)), input.shape);
}

export const sumOp = defineOp<ReduceAttrs>({
  name: 'sum',
  infer: ([x], { axes, keepDims }) => [{ shape: reducedShape(x.shape, axes, keepDims), dtype: sumDType(x.dtype) }],
  gradient: ({ inputs: [x], grads: [g], attrs: { axes } }) => [expandBack(g!, x, axes)],
});

export const maxOp = defineOp<ReduceAttrs>({
  name: 'max',
  infer: ([x], { axes, keepDims }) => [{ shape: reducedShape(x.shape, axes, keepDims), dtype: x.dtype }],
  // NOTE: ties share the gradient evenly, as PyTorch's amax does.
  gradient: ({ inputs: [x], outputs: [y], grads: [g], attrs: { axes } }) => {
    const isMax = eq(x, expandBack(y, x, axes));
    const count = sum(cast(isMax, x.dtype), axes, { keepDims: true });
    return [where(isMax, div(expandBack(g!, x, axes), count), 0)];
  },
});

export const argmaxOp = defineOp<{ readonly axis: number; readonly keepDims: boolean }>({
  name: 'argmax',
  differentiable: false,
  infer: ([x], { axis, keepDims }) => [{ shape: reducedShape(x.shape, [axis], keepDims), dtype: 'i32' }],
});

function reduceReference(init: number, combine: (acc: number, v: number) => number): CpuKernel<ReduceAttrs> {
  return ([x], [out], { axes }) => {
    const keptStrides = contiguousStrides(reducedShape(x.shape, axes, true)).map((s, i) => (axes.includes(i) ? 0 : s));
    const acc = new Float64Array(out.array.length).fill(init);
    const src = x.array;
    forEachStrided(x.shape, [{ strides: keptStrides, offset: 0 }], (i, [o]) => {
      acc[o] = combine(acc[o], src[x.offset + i]);
    });
    out.array.set(acc);
  };
}

export const sumReference = reduceReference(0, (a, v) => a + v);
// NOTE: once the accumulator is NaN it stays NaN (`v > NaN` is false), so NaN propagates.
export const maxReference = reduceReference(-Infinity, (a, v) => (v > a || Number.isNaN(v) ? v : a));

export const argmaxReference: CpuKernel<{ readonly axis: number; readonly keepDims: boolean }> = ([x], [out], { axis }) => {
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const src = x.array;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bestValue = -Infinity;
      for (let k = 0; k < n; k++) {
        const v = src[x.offset + (o * n + k) * inner + i];
        // NOTE: the first maximum wins; NaN counts as the maximum (PyTorch).
        if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue)) || k === 0) {
          bestValue = v;
          best = k;
          if (Number.isNaN(v)) break;
        }
      }
      out.array[o * inner + i] = best;
    }
  }
};

function reduce(op: typeof sumOp, name: string, x: Tensor, axes: number | readonly number[] | undefined, options: ReduceOptions): Tensor {
  const normalized = normalizeAxes(axes, x.rank, name);
  return applyOp(op, [x], { axes: normalized, keepDims: options.keepDims ?? false })[0];
}

/** Sum over `axes` (default all). @example sum(x, -1, { keepDims: true }) */
export function sum(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return reduce(sumOp, 'sum', x, axes, options);
}

/** Maximum over `axes` (default all); NaN propagates. @example max(x, 1) */
export function max(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  assertDType('max', 'x', x, ['f32', 'f64', 'f16', 'i32']);
  const normalized = normalizeAxes(axes, x.rank, 'max');
  for (const a of normalized) {
    if (x.shape[a] === 0) throw new ShapeError('BAD_AXIS', 'max', 'axes', 'reduce an empty axis', 'a non-empty axis (max of nothing is undefined)', `axis ${a} of ${formatShape(x.shape)}`);
  }
  return applyOp(maxOp, [x], { axes: normalized, keepDims: options.keepDims ?? false })[0];
}

/** Minimum over `axes`. @example min(x, 0) */
export function min(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return tidy(() => neg(max(neg(x), axes, options)));
}

/** Mean over `axes` (float tensors). @example mean(x, -1, { keepDims: true }) */
export function mean(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  assertFloat('mean', 'x', x);
  const normalized = normalizeAxes(axes, x.rank, 'mean');
  const count = normalized.reduce((n, a) => n * x.shape[a], 1);
  return tidy(() => div(sum(x, normalized, options), count));
}

/** Biased (population) variance, as LayerNorm uses. @example variance(x, -1, { keepDims: true }) */
export function variance(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  return tidy(() => {
    const centered = sub(x, mean(x, axes, { keepDims: true }));
    return mean(mul(centered, centered), axes, options);
  });
}

/**
 * log Σ exp(x), stable (the maximum is subtracted first). A slice that is all −∞ gives −∞.
 * @example logsumexp(logits, -1)
 */
export function logsumexp(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  assertFloat('logsumexp', 'x', x);
  const normalized = normalizeAxes(axes, x.rank, 'logsumexp');
  // NOTE: an all −∞ slice has max −∞; use 0 as its shift so that exp(−∞ − 0) = 0, not NaN.
  return tidy(() => {
    const m = max(x, normalized, { keepDims: true });
    const shift = where(eq(m, -Infinity), 0, m);
    const out = add(log(sum(exp(sub(x, shift)), normalized, { keepDims: true })), shift);
    return options.keepDims ? out : reshape(out, reducedShape(x.shape, normalized, false));
  });
}

/** Index of the maximum along `axis` (i32; the first one on ties). @example argmax(logits, -1) */
export function argmax(x: Tensor, axis = -1, options: ReduceOptions = {}): Tensor {
  assertDType('argmax', 'x', x, ['f32', 'f64', 'f16', 'i32']);
  const a = normalizeAxis(axis, x.rank, 'argmax');
  if (x.shape[a] === 0) throw new ShapeError('BAD_AXIS', 'argmax', 'axis', 'is empty', 'a non-empty axis', formatShape(x.shape));
  return applyOp(argmaxOp, [x], { axis: a, keepDims: options.keepDims ?? false })[0];
}

/** Sums `g` down to `shape` (undoes broadcasting): used by gradient rules. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g.detach();
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const summed = sum(g, axes, { keepDims: true });
  const out = reshape(summed, shape);
  summed.dispose();
  return out;
}
