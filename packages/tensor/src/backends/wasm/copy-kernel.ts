// The fast CPU backend's `contiguous` kernel: the same row-major copy of a strided view as the
// reference, done a row (the last axis) at a time, as one typed-array block copy when the row is
// contiguous in the source, instead of one callback per element.
import type { NoAttrs } from '../../ops/define-op.js';
import { sizeOf } from '../../shape.js';
import type { CpuKernel } from '../cpu/cpu-kernel.js';

/**
 * `contiguous` for any dtype: out = x in row-major order.
 * @example backend.registerKernel('contiguous', copyStrided, { strided: true });
 */
export const copyStrided: CpuKernel<NoAttrs> = ([x], [out]) => {
  const shape = out.shape;
  const rank = shape.length;
  const n = sizeOf(shape);
  if (n === 0) return;
  // NOTE: both arrays hold the same dtype, so a block copy moves the same bits as element copies.
  const src = x.array as Float32Array;
  const dst = out.array as Float32Array;
  if (rank === 0) {
    dst[0] = src[x.offset];
    return;
  }
  const inner = shape[rank - 1];
  const innerStride = x.strides[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  let from = x.offset;
  for (let at = 0; at < n; at += inner) {
    if (innerStride === 1) dst.set(src.subarray(from, from + inner), at);
    else for (let j = 0, s = from; j < inner; j++, s += innerStride) dst[at + j] = src[s];
    for (let axis = rank - 2; axis >= 0; axis--) {
      from += x.strides[axis];
      if (++index[axis] < shape[axis]) break;
      from -= x.strides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
};
