// View primitives: reshape, permute, expand and slice change only the layout (shape, strides,
// offset) over the same storage; no kernel runs unless reshape meets incompatible strides.
import { ShapeError, formatShape } from '../../errors/index.js';
import { assertValidShape, broadcastShapes, contiguousStrides, normalizeAxis, sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { defineOp, type Layout } from '../define-op.js';
import { pad } from '../pad/pad.js';
import { sumTo } from '../reduce/reduce.js';

export interface ShapeAttrs { readonly shape: readonly number[] }
export interface PermuteAttrs { readonly axes: readonly number[] }
export interface SliceAttrs { readonly starts: readonly number[]; readonly ends: readonly number[] }

/** Strides for viewing `layout` as `shape` without a copy, or null (PyTorch's computeStride). */
function reshapeStrides(layout: Layout, shape: readonly number[]): number[] | null {
  const { shape: oldShape, strides: oldStrides } = layout;
  if (oldShape.length === 0 || sizeOf(oldShape) === 0) return contiguousStrides(shape);
  const strides = new Array<number>(shape.length);
  let viewAxis = shape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let axis = oldShape.length - 1; axis >= 0; axis--) {
    tensorNumel *= oldShape[axis];
    // A chunk of mutually contiguous old axes ends here: split it over the new axes.
    if (axis === 0 || (oldShape[axis - 1] !== 1 && oldStrides[axis - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewAxis >= 0 && (viewNumel < tensorNumel || shape[viewAxis] === 1)) {
        strides[viewAxis] = viewNumel * chunkBaseStride;
        viewNumel *= shape[viewAxis];
        viewAxis--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (axis > 0) {
        chunkBaseStride = oldStrides[axis - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewAxis === -1 ? strides : null;
}

export const reshapeOp = defineOp<ShapeAttrs>({
  name: 'reshape',
  infer: (_inputs, { shape }) => [{ shape, dtype: _inputs[0].dtype }],
  view: (x, { shape }) => {
    const strides = reshapeStrides(x, shape);
    return strides ? { shape, strides, offset: x.offset } : null;
  },
  gradient: ({ inputs: [x], grads: [g] }) => [reshape(g!, x.shape)],
});

export const permuteOp = defineOp<PermuteAttrs>({
  name: 'permute',
  infer: ([x], { axes }) => [{ shape: axes.map((a) => x.shape[a]), dtype: x.dtype }],
  view: (x, { axes }) => ({ shape: axes.map((a) => x.shape[a]), strides: axes.map((a) => x.strides[a]), offset: x.offset }),
  gradient: ({ grads: [g], attrs: { axes } }) => {
    const inverse = new Array<number>(axes.length);
    axes.forEach((a, i) => { inverse[a] = i; });
    return [permute(g!, inverse)];
  },
});

export const expandOp = defineOp<ShapeAttrs>({
  name: 'expand',
  infer: ([x], { shape }) => [{ shape, dtype: x.dtype }],
  view: (x, { shape }) => {
    const lead = shape.length - x.shape.length;
    return { shape, strides: shape.map((_, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : x.strides[i - lead])), offset: x.offset };
  },
  gradient: ({ inputs: [x], grads: [g] }) => [sumTo(g!, x.shape)],
});

export const sliceOp = defineOp<SliceAttrs>({
  name: 'slice',
  infer: ([x], { starts, ends }) => [{ shape: starts.map((s, i) => ends[i] - s), dtype: x.dtype }],
  view: (x, { starts, ends }) => ({
    shape: starts.map((s, i) => ends[i] - s),
    strides: x.strides,
    offset: x.offset + starts.reduce((acc, s, i) => acc + s * x.strides[i], 0),
  }),
  gradient: ({ inputs: [x], grads: [g], attrs: { starts, ends } }) =>
    [pad(g!, starts.map((s, i) => [s, x.shape[i] - ends[i]] as [number, number]))],
});

/**
 * A view with a new shape (one dimension may be -1). Copies only if the strides demand it.
 * @example reshape(arange(6), [2, -1]) // shape (2,3)
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const size = x.size;
  const unknown = shape.indexOf(-1);
  let resolved = [...shape];
  if (unknown >= 0) {
    const known = sizeOf(shape.filter((_, i) => i !== unknown));
    if (shape.lastIndexOf(-1) !== unknown || known === 0 || size % known !== 0) {
      throw new ShapeError('BAD_RESHAPE', 'reshape', 'shape', 'cannot be resolved', `a shape with the same size as ${formatShape(x.shape)}`, formatShape(shape));
    }
    resolved[unknown] = size / known;
  }
  assertValidShape(resolved, 'reshape');
  if (sizeOf(resolved) !== size) {
    throw new ShapeError('BAD_RESHAPE', 'reshape', 'shape', 'changes the number of elements', `${size} elements as in ${formatShape(x.shape)}`, `${formatShape(shape)} with ${sizeOf(resolved)}`);
  }
  resolved = resolved.map(Number);
  return applyOp(reshapeOp, [x], { shape: resolved })[0];
}

/** Reorders the axes. @example permute(x, [0, 2, 1]) */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  const normalized = axes.map((a) => normalizeAxis(a, x.rank, 'permute', 'axes'));
  if (normalized.length !== x.rank || new Set(normalized).size !== x.rank) {
    throw new ShapeError('BAD_AXIS', 'permute', 'axes', 'is not a permutation', `a permutation of ${x.rank} axes`, `[${axes.join(',')}]`);
  }
  return applyOp(permuteOp, [x], { axes: normalized })[0];
}

/** Swaps two axes. @example transpose(x, -1, -2) */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  const a = normalizeAxis(axis0, x.rank, 'transpose', 'axis0');
  const b = normalizeAxis(axis1, x.rank, 'transpose', 'axis1');
  const axes = Array.from({ length: x.rank }, (_, i) => i);
  [axes[a], axes[b]] = [axes[b], axes[a]];
  return applyOp(permuteOp, [x], { axes })[0];
}

/** Broadcasts to `shape` without copying (stride 0). @example expand(tensor([1, 2]), [3, 2]) */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.rank)] : d));
  const result = broadcastShapes('expand', x.shape, target);
  if (result.some((d, i) => d !== target[i]) || x.rank > target.length) {
    throw new ShapeError('NOT_BROADCASTABLE', 'expand', 'shape', 'cannot hold the tensor', `a shape that ${formatShape(x.shape)} broadcasts to`, formatShape(shape));
  }
  return applyOp(expandOp, [x], { shape: target })[0];
}

/**
 * A view of the box [starts, ends) (per axis; negative indices count from the end, ends are
 * clamped like Python slices; omitted trailing axes are taken whole).
 * @example slice(x, [0, 1], [2, 3]) // x[0:2, 1:3]
 */
export function slice(x: Tensor, starts: readonly number[], ends?: readonly (number | undefined)[]): Tensor {
  if (starts.length > x.rank || (ends && ends.length > x.rank)) {
    throw new ShapeError('BAD_AXIS', 'slice', 'starts', 'has more entries than the tensor has axes', `at most ${x.rank}`, `${Math.max(starts.length, ends?.length ?? 0)}`);
  }
  const s: number[] = [];
  const e: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    const d = x.shape[i];
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const start = clamp(starts[i] ?? 0);
    const end = clamp(ends?.[i] ?? d);
    s.push(start);
    e.push(Math.max(start, end));
  }
  return applyOp(sliceOp, [x], { starts: s, ends: e })[0];
}

/** `length` entries of `axis` from `start`. @example narrow(x, 1, 2, 3) // x[:, 2:5] */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = normalizeAxis(axis, x.rank, 'narrow');
  if (start < 0 || length < 0 || start + length > x.shape[a]) {
    throw new ShapeError('BAD_AXIS', 'narrow', 'start/length', 'leave the axis', `0 <= start and start + length <= ${x.shape[a]}`, `start ${start}, length ${length}`);
  }
  const starts = x.shape.map(() => 0);
  const ends = [...x.shape];
  starts[a] = start;
  ends[a] = start + length;
  return applyOp(sliceOp, [x], { starts, ends })[0];
}

/** Inserts a size-1 axis. @example unsqueeze(tensor([1, 2]), 0) // shape (1,2) */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.rank + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Removes size-1 axes (all of them, or those listed). @example squeeze(zeros([1, 3, 1])) // (3,) */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const list = axes === undefined ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
    : (typeof axes === 'number' ? [axes] : axes).map((a) => normalizeAxis(a, x.rank, 'squeeze'));
  for (const a of list) {
    if (x.shape[a] !== 1) throw new ShapeError('BAD_AXIS', 'squeeze', 'axes', 'names an axis of size other than 1', 'size-1 axes', `axis ${a} of ${formatShape(x.shape)}`);
  }
  return reshape(x, x.shape.filter((_, i) => !list.includes(i)));
}

/** Merges axes start..end into one. @example flatten(zeros([2, 3, 4]), 1) // (2,12) */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  if (x.rank === 0) return reshape(x, [1]);
  const a = normalizeAxis(startAxis, x.rank, 'flatten');
  const b = normalizeAxis(endAxis, x.rank, 'flatten');
  return reshape(x, [...x.shape.slice(0, a), sizeOf(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)]);
}
