// logSoftmax(x, axis): a fusable composite (torch.log_softmax semantics, except that a slice that
// is entirely −∞ gives −∞ instead of NaN). Computed as z − log Σ exp(z) with z = x − max(x),
// never as log(softmax(x)), which loses everything below the float's smallest normal.
import type { Tensor } from '../../tensor.js';
import { sub } from '../binary/binary.js';
import { defineOp } from '../define-op.js';
import { applyAlongAxis, safeSum, shiftedByMax, type AxisAttrs } from '../softmax/softmax.js';
import { exp, log } from '../unary/unary.js';

export const logSoftmaxOp = defineOp<AxisAttrs>({
  name: 'logSoftmax',
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  decompose: ([x], { axis }) => {
    const z = shiftedByMax(x, axis);
    return [sub(z, log(safeSum(exp(z), axis)))];
  },
});

/**
 * log(softmax(x)) along `axis` (default −1), computed stably. A slice that is entirely −∞ gives
 * −∞ everywhere (PyTorch gives NaN), with finite gradients.
 * @example logSoftmax(tensor([0, 0])) // [-0.693, -0.693]
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return applyAlongAxis(logSoftmaxOp, 'logSoftmax', x, axis);
}
