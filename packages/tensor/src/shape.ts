// Shape algebra: sizes, contiguous strides, NumPy broadcasting and axis normalisation.
import { ShapeError, formatShape } from './errors/index.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of any number of shapes; throws ShapeError naming both shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const j = rank - shape.length + i;
      const d = shape[i];
      if (d === out[j] || d === 1) continue;
      if (out[j] === 1) out[j] = d;
      else {
        throw new ShapeError('NOT_BROADCASTABLE', op, 'operands', 'cannot be broadcast together',
          'each dimension equal or 1 (right-aligned)', shapes.map(formatShape).join(' and '));
      }
    }
  }
  return out;
}

/** Maps a possibly negative axis into [0, rank); throws ShapeError when out of range. */
export function normalizeAxis(axis: number, rank: number, op: string, argument = 'axis'): number {
  // NOTE: a rank-0 tensor accepts axis 0 and -1, as in PyTorch.
  const r = Math.max(rank, 1);
  if (!Number.isInteger(axis) || axis < -r || axis >= r) {
    throw new ShapeError('BAD_AXIS', op, argument, 'is out of range', `an integer in [${-r}, ${r - 1}]`, String(axis));
  }
  return axis < 0 ? axis + r : axis;
}

/** Normalises a list of axes (undefined = all), sorted and de-duplicated. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, op: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = [...new Set(list.map((a) => normalizeAxis(a, rank, op, 'axes')))].sort((a, b) => a - b);
  if (out.length !== list.length) {
    throw new ShapeError('BAD_AXIS', op, 'axes', 'repeats an axis', 'distinct axes', `[${list.join(',')}]`);
  }
  return out;
}

export function assertValidShape(shape: Shape, op: string, argument = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError('BAD_RESHAPE', op, argument, 'has an invalid dimension', 'non-negative integers', formatShape(shape));
    }
  }
}
