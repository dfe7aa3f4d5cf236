// gelu(x): a fusable composite with torch.nn.functional.gelu semantics: the exact form
// 0.5·x·(1 + erf(x/√2)) by default (Hendrycks & Gimpel 2016), or the tanh approximation
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with `approximate: 'tanh'` (as in GPT-2).
import { ConfigError } from '../../errors/index.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { add, mul } from '../binary/binary.js';
import { defineOp } from '../define-op.js';
import { erf, tanh } from '../unary/unary.js';
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
