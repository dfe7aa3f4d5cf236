// cast: dtype conversion. Float → i32 truncates toward zero (NaN → 0), anything → bool is x ≠ 0.
import { forEachStrided, type CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { isFloat, type DType } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { defineOp } from '../define-op.js';

export interface CastAttrs {
  readonly dtype: DType;
}

export const castOp = defineOp<CastAttrs>({
  name: 'cast',
  infer: ([x], { dtype }) => [{ shape: x.shape, dtype }],
  gradient: ({ inputs: [x], grads: [g] }) => [isFloat(x.dtype) ? cast(g!, x.dtype) : null],
});

export const castReference: CpuKernel<CastAttrs> = ([x], [out], { dtype }) => {
  const src = x.array;
  const dst = out.array;
  const toBool = dtype === 'bool';
  forEachStrided(out.shape, [x], (i, [o]) => {
    const v = src[o];
    dst[i] = toBool ? (v !== 0 ? 1 : 0) : v;
  });
};

/** Converts to `dtype` (always a new tensor). @example cast(tensor([1.7, -1.7]), 'i32') // [1, -1] */
export function cast(x: Tensor, dtype: DType): Tensor {
  return applyOp(castOp, [x], { dtype })[0];
}
