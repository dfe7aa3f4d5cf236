// gelu(x): a fusable composite with torch.nn.functional.gelu semantics: the exact form
// 0.5·x·(1 + erf(x/√2)) by default (Hendrycks & Gimpel 2016), or the tanh approximation
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with `approximate: 'tanh'` (as in GPT-2).
import { ConfigError } from '../../errors/index.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { add, mul, sub } from '../binary/binary.js';
import { defineOp } from '../define-op.js';
import { erf, exp, tanh } from '../unary/unary.js';
import { assertFloat } from '../validate.js';

export interface GeluOptions {
  /** 'none' (default): the exact erf form; 'tanh': the tanh approximation. */
  readonly approximate?: 'none' | 'tanh';
}

interface GeluAttrs {
  readonly approximate: 'none' | 'tanh';
}

export const geluOp = defineOp<GeluAttrs>({
  name: 'gelu',
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  decompose: ([x], { approximate }) => {
    const inner = approximate === 'tanh'
      ? tanh(mul(add(x, mul(mul(x, mul(x, x)), 0.044715)), Math.sqrt(2 / Math.PI)))
      : erf(mul(x, Math.SQRT1_2));
    return [mul(mul(x, 0.5), add(inner, 1))];
  },
  // d/dx x·Φ(x) = Φ(x) + x·φ(x) (exact form); for the tanh form with u = √(2/π)(x + 0.044715x³),
  // t = tanh u: ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²).
  gradient: ({ inputs: [x], grads: [g], attrs: { approximate } }) => {
    if (approximate === 'tanh') {
      const c = Math.sqrt(2 / Math.PI);
      const t = tanh(mul(add(x, mul(mul(x, mul(x, x)), 0.044715)), c));
      const du = mul(add(mul(mul(x, x), 3 * 0.044715), 1), c);
      return [mul(g!, add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), du)))];
    }
    const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return [mul(g!, add(cdf, mul(x, pdf)))];
  },
});

/**
 * The Gaussian error linear unit x·Φ(x), exact (erf) by default or tanh-approximated.
 * @example gelu(tensor([-1, 0, 1])) // [-0.1587, 0, 0.8413]
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const approximate = options.approximate ?? 'none';
  assertFloat('gelu', 'x', x);
  if (approximate !== 'none' && approximate !== 'tanh') throw new ConfigError('gelu', 'approximate', "'none' | 'tanh'", String(approximate));
  return applyOp(geluOp, [x], { approximate })[0];
}
