// clipGradNorm: torch.nn.utils.clip_grad_norm_. The total p-norm of all gradients together is
// computed; if it exceeds maxNorm, every gradient is scaled by maxNorm / (total + 1e-6).
import { ConfigError } from '../errors/index.js';
import { add, div, maximum, minimum, mul, pow } from '../ops/binary/binary.js';
import { cast } from '../ops/cast/cast.js';
import { scalar } from '../ops/creation/creation.js';
import { max, sum } from '../ops/reduce/reduce.js';
import { abs, square } from '../ops/unary/unary.js';
import { tidy } from '../scope.js';
import { noGrad } from '../tape/grad-mode.js';
import type { Tensor } from '../tensor.js';

export interface ClipGradNormOptions {
  /** The p of the p-norm: a number > 0, or Infinity for the largest magnitude (default 2). */
  readonly normType?: number;
}

/** |g|^p, as a square (one fast kernel) for the usual p = 2. */
function power(g: Tensor, p: number): Tensor {
  return p === 2 ? square(g) : pow(abs(g), p);
}

/**
 * Scales the gradients of `params` in place (their `.grad` keeps its identity) so that their
 * total norm is at most `maxNorm`, and returns the total norm before clipping as a rank-0
 * tensor, without reading it back (no GPU stall): `await norm.item()` when you need the number.
 * The caller owns the returned tensor. Parameters without a gradient are ignored; with none at
 * all the norm is 0.
 * @example const norm = clipGradNorm(model.parameters(), 1.0); console.log(await norm.item()); norm.dispose();
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): Tensor {
  const { normType = 2 } = options;
  if (!(normType > 0)) throw new ConfigError('clipGradNorm', 'normType', 'a number > 0 or Infinity', String(normType));
  if (!(maxNorm >= 0)) throw new ConfigError('clipGradNorm', 'maxNorm', 'a number >= 0', String(maxNorm));
  const grads = [...params].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  const nonEmpty = grads.filter((g) => g.size > 0);
  if (nonEmpty.length === 0) return scalar(0, grads[0]?.dtype ?? 'f32', grads[0]?.backend);
  const [total, clipped] = noGrad(() => tidy(() => {
    // NOTE: Σ_i ‖g_i‖_p^p over all gradients equals the p-th power of torch's norm of per-tensor norms.
    const total = normType === Infinity
      ? nonEmpty.map((g) => max(abs(g))).reduce((a, b) => maximum(a, b))
      : pow(nonEmpty.map((g) => sum(power(g, normType))).reduce((a, b) => add(a, b)), 1 / normType);
    const coefficient = minimum(div(maxNorm, add(total, 1e-6)), 1);
    return [total, grads.map((g) => mul(g, g.dtype === coefficient.dtype ? coefficient : cast(coefficient, g.dtype)))] as const;
  }));
  grads.forEach((g, i) => g.assign(clipped[i]));
  return total;
}
