// The fast CPU backend's copy kernels, `contiguous` and `pad`: the same results as the reference
// kernels, done a row (the last axis) at a time, as one typed-array block copy when the row is
// contiguous in the source, instead of one callback per element.
import type { NoAttrs } from '../../ops/define-op.js';
import type { PadAttrs } from '../../ops/pad/pad.js';
import { contiguousStrides, sizeOf } from '../../shape.js';
import type { CpuKernel, CpuView } from '../cpu/cpu-kernel.js';

/**
 * Copies every element of the strided view `x` to `dst`, row by row: x's element at index
 * (i_0, …, i_k) goes to dst[dstOffset + Σ i_a·dstStrides[a]], with dst rows contiguous.
 */
function copyRows(x: CpuView, dst: Float32Array, dstStrides: readonly number[], dstOffset: number): void {
  const shape = x.shape;
  const rank = shape.length;
  const n = sizeOf(shape);
  if (n === 0) return;
  // NOTE: both arrays hold the same dtype, so a block copy moves the same bits as element copies.
  const src = x.array as Float32Array;
  if (rank === 0) {
    dst[dstOffset] = src[x.offset];
    return;
  }
  const inner = shape[rank - 1];
  const innerStride = x.strides[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  let from = x.offset;
  let to = dstOffset;
  for (let row = 0; row < n; row += inner) {
    if (innerStride === 1) dst.set(src.subarray(from, from + inner), to);
    else for (let j = 0, s = from; j < inner; j++, s += innerStride) dst[to + j] = src[s];
    for (let axis = rank - 2; axis >= 0; axis--) {
      from += x.strides[axis];
      to += dstStrides[axis];
      if (++index[axis] < shape[axis]) break;
      from -= x.strides[axis] * shape[axis];
      to -= dstStrides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
}

/**
 * `contiguous` for any dtype: out = x in row-major order.
 * @example backend.registerKernel('contiguous', copyStrided, { strided: true });
 */
export const copyStrided: CpuKernel<NoAttrs> = ([x], [out]) => {
  copyRows(x, out.array as Float32Array, contiguousStrides(out.shape), 0);
};

/**
 * `pad` for any dtype: out filled with `value`, then x copied into its interior.
 * @example backend.registerKernel('pad', padRows, { strided: true });
 */
export const padRows: CpuKernel<PadAttrs> = ([x], [out], { pads, value }) => {
  out.array.fill(value);
  const outStrides = contiguousStrides(out.shape);
  copyRows(x, out.array as Float32Array, outStrides, pads.reduce((acc, p, i) => acc + p[0] * outStrides[i], 0));
};
