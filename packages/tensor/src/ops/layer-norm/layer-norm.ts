// layerNorm(x, weight?, bias?): a fusable composite with torch.nn.functional.layer_norm
// semantics (Ba et al. 2016): normalise over the last `normalizedAxes` dimensions with the biased
// variance, y = (x − mean) / √(var + eps) · weight + bias.
import { ConfigError, ShapeError, formatShape } from '../../errors/index.js';
import { shapesEqual } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { add, mul, sub } from '../binary/binary.js';
import { defineOp } from '../define-op.js';
import { mean, sumTo } from '../reduce/reduce.js';
import { rsqrt } from '../unary/unary.js';
import { assertFloat, assertSameDType } from '../validate.js';

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5, as in PyTorch). */
  readonly eps?: number;
  /** How many trailing dimensions are normalised (default 1); weight and bias have their shape. */
  readonly normalizedAxes?: number;
}

interface LayerNormAttrs {
  readonly eps: number;
  readonly normalizedAxes: number;
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

/** x̂ = (x − mean) · rstd over `axes`, with rstd = 1/√(var + eps) (keepDims). */
function normalized(x: Tensor, axes: readonly number[], eps: number): { xhat: Tensor; rstd: Tensor } {
  const centered = sub(x, mean(x, axes, { keepDims: true }));
  // NOTE: the biased (population) variance, as PyTorch's LayerNorm uses.
  const rstd = rsqrt(add(mean(mul(centered, centered), axes, { keepDims: true }), eps));
  return { xhat: mul(centered, rstd), rstd };
}

const trailingAxes = (x: Tensor, count: number) => Array.from({ length: count }, (_, i) => x.rank - count + i);

export const layerNormOp = defineOp<LayerNormAttrs>({
  name: 'layerNorm',
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  decompose: ([x, ...affine], { eps, normalizedAxes, hasWeight, hasBias }) => {
    let y = normalized(x, trailingAxes(x, normalizedAxes), eps).xhat;
    if (hasWeight) y = mul(y, affine[0]);
    if (hasBias) y = add(y, affine[hasWeight ? 1 : 0]);
    return [y];
  },
  // With ĝ = g ∘ weight: dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ∘ x̂)); dweight = Σ g ∘ x̂; dbias = Σ g
  // (statistics recomputed from x rather than saved).
  gradient: ({ inputs: [x, ...affine], grads: [g], attrs: { eps, normalizedAxes, hasWeight, hasBias } }) => {
    const axes = trailingAxes(x, normalizedAxes);
    const { xhat, rstd } = normalized(x, axes, eps);
    const gHat = hasWeight ? mul(g!, affine[0]) : g!;
    const meanOf = (t: Tensor) => mean(t, axes, { keepDims: true });
    const dx = mul(rstd, sub(sub(gHat, meanOf(gHat)), mul(xhat, meanOf(mul(gHat, xhat)))));
    const grads: Tensor[] = [dx];
    if (hasWeight) grads.push(sumTo(mul(g!, xhat), affine[0].shape));
    if (hasBias) grads.push(sumTo(g!, affine[hasWeight ? 1 : 0].shape));
    return grads;
  },
});

/**
 * Layer normalisation over the last `normalizedAxes` dimensions (default 1), with optional
 * elementwise affine `weight` and `bias` shaped like those dimensions.
 * @example layerNorm(x, gamma, beta) // x (B, T, C), gamma and beta (C)
 */
export function layerNorm(x: Tensor, weight?: Tensor | null, bias?: Tensor | null, options: LayerNormOptions = {}): Tensor {
  const { eps = 1e-5, normalizedAxes = 1 } = options;
  assertFloat('layerNorm', 'x', x);
  if (!Number.isInteger(normalizedAxes) || normalizedAxes < 1 || normalizedAxes > x.rank) {
    throw new ShapeError('BAD_AXIS', 'layerNorm', 'normalizedAxes', 'is out of range', `an integer in [1, ${x.rank}] for x ${formatShape(x.shape)}`, String(normalizedAxes));
  }
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new ConfigError('layerNorm', 'eps', 'a finite number >= 0', String(eps));
  const normalizedShape = x.shape.slice(x.rank - normalizedAxes);
  const affine: Tensor[] = [];
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (!t) continue;
    assertSameDType('layerNorm', x, t, ['x', name]);
    if (!shapesEqual(t.shape, normalizedShape)) {
      throw new ShapeError('SHAPE_MISMATCH', 'layerNorm', name, 'does not match the normalized shape', formatShape(normalizedShape), formatShape(t.shape));
    }
    affine.push(t);
  }
  return applyOp(layerNormOp, [x, ...affine], { eps, normalizedAxes, hasWeight: !!weight, hasBias: !!bias })[0];
}
