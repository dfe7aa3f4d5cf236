// linear(x, weight, bias?): a fusable composite with torch.nn.functional.linear semantics,
// y = x · Wᵀ + b, for x (..., in), weight (out, in) and bias (out).
import { ShapeError, formatShape } from '../../errors/index.js';
import { sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { add } from '../binary/binary.js';
import { defineOp } from '../define-op.js';
import { matmul } from '../matmul/matmul.js';
import { reshape } from '../views/views.js';
import { assertFloat, assertSameDType } from '../validate.js';

export const linearOp = defineOp<{ readonly hasBias: boolean }>({
  name: 'linear',
  infer: ([x, weight]) => [{ shape: [...x.shape.slice(0, -1), weight.shape[0]], dtype: x.dtype }],
  decompose: ([x, weight, bias], { hasBias }) => {
    const [inFeatures, outFeatures] = [weight.shape[1], weight.shape[0]];
    const lead = x.shape.slice(0, -1);
    // NOTE: the leading dimensions are flattened into one, so that the weight gradient is one
    // (out, in) matmul instead of one per batch element summed afterwards.
    const rows = reshape(x, [sizeOf(lead), inFeatures]); // (N, in)
    const y = matmul(rows, weight, { transposeB: true }); // (N, in) · (out, in)ᵀ → (N, out)
    return [reshape(hasBias ? add(y, bias) : y, [...lead, outFeatures])]; // (..., out)
  },
});

/**
 * The affine map x · Wᵀ + b over the last dimension (PyTorch's layout: weight is (out, in)).
 * @example linear(x, weight, bias) // x (B, T, in), weight (out, in), bias (out) → (B, T, out)
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  assertFloat('linear', 'x', x);
  assertSameDType('linear', x, weight, ['x', 'weight']);
  if (x.rank === 0 || weight.rank !== 2 || x.shape[x.rank - 1] !== weight.shape[1]) {
    throw new ShapeError('SHAPE_MISMATCH', 'linear', 'weight', 'does not fit x', `weight (out, in) with in == x.shape[-1]`, `x ${formatShape(x.shape)} and weight ${formatShape(weight.shape)}`);
  }
  if (bias) {
    assertSameDType('linear', x, bias, ['x', 'bias']);
    if (bias.rank !== 1 || bias.shape[0] !== weight.shape[0]) {
      throw new ShapeError('SHAPE_MISMATCH', 'linear', 'bias', 'does not match the output features', `(${weight.shape[0]},)`, formatShape(bias.shape));
    }
  }
  return applyOp(linearOp, bias ? [x, weight, bias] : [x, weight], { hasBias: !!bias })[0];
}
