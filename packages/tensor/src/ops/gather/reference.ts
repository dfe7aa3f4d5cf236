// CPU reference kernels of gather and indexSelect (contiguous inputs). Index values are data, so
// they are checked here, not in the front end: an index outside [0, size) throws a ShapeError
// naming the op, the value and the valid range instead of reading out of bounds.
import type { CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { forEachStrided } from '../../backends/cpu/cpu-kernel.js';
import { ShapeError, formatShape } from '../../errors/index.js';
import { contiguousStrides, sizeOf } from '../../shape.js';

export interface AxisAttrs {
  readonly axis: number;
}

/**
 * Throws unless 0 <= value < size (negative indices do not wrap, as in PyTorch's gather,
 * scatter_add and index_select). `position` is the flat position of the value in the index.
 */
export function assertIndexInRange(op: string, value: number, shape: readonly number[], axis: number, position: number): void {
  const size = shape[axis];
  if (value >= 0 && value < size) return;
  throw new ShapeError('BAD_AXIS', op, 'index', `has an entry out of range for axis ${axis} of ${formatShape(shape)}`,
    `values in [0, ${size})`, `${value} at flat position ${position}`);
}

/** Strides of a contiguous `shape` with the stride of `axis` set to 0 (the index supplies it). */
export function stridesWithoutAxis(shape: readonly number[], axis: number): { strides: number[]; axisStride: number } {
  const strides = contiguousStrides(shape);
  const axisStride = strides[axis];
  strides[axis] = 0;
  return { strides, axisStride };
}

/** out[..., i, ...] = x[..., index[..., i, ...], ...] along `axis`, for every position of index. */
export const gatherReference: CpuKernel<AxisAttrs> = ([x, index], [out], { axis }) => {
  const { strides, axisStride } = stridesWithoutAxis(x.shape, axis);
  const [src, idx, dst] = [x.array, index.array, out.array];
  forEachStrided(index.shape, [{ strides, offset: x.offset }], (i, [o]) => {
    const v = idx[index.offset + i];
    assertIndexInRange('gather', v, x.shape, axis, i);
    dst[i] = src[o + v * axisStride];
  });
};

/** Copies the slices x[..., index[j], ...] along `axis`, one block of trailing elements at a time. */
export const indexSelectReference: CpuKernel<AxisAttrs> = ([x, index], [out], { axis }) => {
  const outer = sizeOf(x.shape.slice(0, axis));
  const n = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const m = index.shape[0];
  const idx = index.array;
  for (let j = 0; j < m; j++) assertIndexInRange('indexSelect', idx[index.offset + j], x.shape, axis, j);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const start = x.offset + (o * n + idx[index.offset + j]) * inner;
      out.array.set(x.array.subarray(start, start + inner), (o * m + j) * inner);
    }
  }
};
