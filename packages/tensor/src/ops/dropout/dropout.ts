// dropout(x, p): inverted dropout (Srivastava et al. 2014; torch.nn.functional.dropout): while
// training, each element is kept with probability 1 − p and scaled by 1/(1 − p), so eval needs no
// rescaling. The keep-mask is drawn on the host from a seeded Generator and uploaded, so a seed
// gives the same mask on every backend.
import { ConfigError } from '../../errors/index.js';
import { defaultGenerator, type Generator } from '../../random/generator.js';
import { tidy } from '../../scope.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { mul } from '../binary/binary.js';
import { fromArray } from '../creation/creation.js';
import { defineOp } from '../define-op.js';
import { reshape } from '../views/views.js';
import { where } from '../where/where.js';
import { assertFloat } from '../validate.js';

export interface DropoutOptions {
  /** Identity when false (eval mode). Default true. */
  readonly training?: boolean;
  /** Source of the mask (default: defaultGenerator()). */
  readonly generator?: Generator;
}

/** Inputs: x and a bool keep-mask of x's shape. */
export const dropoutOp = defineOp<{ readonly scale: number }>({
  name: 'dropout',
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  // NOTE: dropped elements are exactly 0 (selected, not multiplied), even where x is ±∞ or NaN.
  decompose: ([x, keep], { scale }) => [where(keep, mul(x, scale), 0)],
});

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1 − p) while training;
 * a view of `x` (gradients flow) when `training` is false or p = 0. p = 1 gives zeros.
 * @example dropout(h, 0.1, { training: true, generator: new Generator(0) })
 */
export function dropout(x: Tensor, p: number, options: DropoutOptions = {}): Tensor {
  const { training = true, generator = defaultGenerator() } = options;
  assertFloat('dropout', 'x', x);
  if (!(p >= 0 && p <= 1)) throw new ConfigError('dropout', 'p', 'a probability in [0, 1]', String(p));
  if (!training || p === 0) return reshape(x, x.shape);
  return tidy(() => {
    const keep = new Uint8Array(x.size);
    for (let i = 0; i < keep.length; i++) keep[i] = generator.uniform() >= p ? 1 : 0;
    // NOTE: with p = 1 nothing is kept; a scale of 0 (not 1/0 = ∞) keeps the gradient 0, not NaN.
    const scale = p === 1 ? 0 : 1 / (1 - p);
    return applyOp(dropoutOp, [x, fromArray(keep, x.shape, 'bool', x.backend)], { scale })[0];
  });
}
