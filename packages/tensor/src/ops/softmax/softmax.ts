// softmax(x, axis): a fusable composite (torch.softmax semantics, except that a slice that is
// entirely −∞ gives zeros instead of NaN, so fully masked attention rows stay finite). The
// decomposition is the reference a fused kernel is tested against.
import { tidy } from '../../scope.js';
import { normalizeAxis } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { div, eq, mul, sub } from '../binary/binary.js';
import { defineOp } from '../define-op.js';
import { max, sum } from '../reduce/reduce.js';
import { exp } from '../unary/unary.js';
import { reshape } from '../views/views.js';
import { where } from '../where/where.js';
import { assertFloat } from '../validate.js';

export interface AxisAttrs {
  readonly axis: number;
}

/**
 * x − max(x) along `axis`, the stable argument of exp (shared with logSoftmax).
 * NOTE: the maximum is subtracted so exp never overflows; it is detached because softmax is
 * shift-invariant (its gradient through the shift is zero). A slice that is all −∞ is shifted
 * by 0 instead (−∞ − −∞ would be NaN), and an empty axis has nothing to shift.
 */
export function shiftedByMax(x: Tensor, axis: number): Tensor {
  if (x.shape[axis] === 0) return sub(x, 0);
  const m = max(x, axis, { keepDims: true }).detach();
  return sub(x, where(eq(m, -Infinity), 0, m));
}

/**
 * The sum of `e` along `axis` (keepDims), with 1 where it is 0.
 * NOTE: a sum of 0 only happens for an all −∞ (or empty) slice; dividing by 1 there gives 0
 * (resp. log gives 0) with finite gradients, where dividing by 0 would give NaN.
 */
export function safeSum(e: Tensor, axis: number): Tensor {
  const s = sum(e, axis, { keepDims: true });
  return where(eq(s, 0), 1, s);
}

export const softmaxOp = defineOp<AxisAttrs>({
  name: 'softmax',
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  decompose: ([x], { axis }) => {
    const e = exp(shiftedByMax(x, axis));
    return [div(e, safeSum(e, axis))];
  },
  // dx = y ∘ (g − Σ_axis g ∘ y): the Jacobian-vector product from the saved output (0 on all −∞ slices, where y = 0).
  gradient: ({ outputs: [y], grads: [g], attrs: { axis } }) => [mul(y, sub(g!, sum(mul(g!, y), axis, { keepDims: true })))],
});

/** Validates `x` and `axis` and runs `op`; a rank-0 `x` is treated as a one-element vector. */
export function applyAlongAxis(op: typeof softmaxOp, name: string, x: Tensor, axis: number): Tensor {
  assertFloat(name, 'x', x);
  if (x.rank === 0) {
    normalizeAxis(axis, 1, name); // 0 or −1, as PyTorch allows for a 0-d tensor
    return tidy(() => reshape(applyAlongAxis(op, name, reshape(x, [1]), 0), []));
  }
  return applyOp(op, [x], { axis: normalizeAxis(axis, x.rank, name) })[0];
}

/**
 * exp(x) / Σ exp(x) along `axis` (default −1), computed stably (the maximum is subtracted).
 * A slice that is entirely −∞ gives all zeros (PyTorch gives NaN), so a fully masked
 * attention row contributes nothing instead of poisoning the output with NaN.
 * @example softmax(tensor([[1, 2, 3]])) // [[0.090, 0.245, 0.665]]
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  return applyAlongAxis(softmaxOp, 'softmax', x, axis);
}
