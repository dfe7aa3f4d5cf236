// contiguous: a row-major copy of any strided view (the one kernel every backend must have that
// understands arbitrary strides; other kernels receive contiguous inputs unless they say so).
import { forEachStrided, type CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { defineOp, type NoAttrs } from '../define-op.js';

export const contiguousOp = defineOp<NoAttrs>({
  name: 'contiguous',
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  gradient: ({ grads: [g] }) => [g],
});

export const contiguousReference: CpuKernel<NoAttrs> = ([x], [out]) => {
  const src = x.array;
  const dst = out.array;
  forEachStrided(out.shape, [x], (i, [o]) => {
    dst[i] = src[o];
  });
};

/** A contiguous copy of `x`. @example contiguous(transpose(x, 0, 1)) */
export function contiguous(x: Tensor): Tensor {
  return applyOp(contiguousOp, [x], {})[0];
}
