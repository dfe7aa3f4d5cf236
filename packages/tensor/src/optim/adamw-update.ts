// adamwUpdate: one AdamW step of one parameter as a fusable composite (architecture guide B.4):
// its decomposition is AdamW's update written with elementwise ops (the reference, and what runs
// on backends without a kernel); a backend may fuse it into one pass writing p', m', v' (and the
// AMSGrad maximum). Not differentiable: optimizers run it under noGrad.
import { ConfigError, ShapeError, formatShape } from '../errors/index.js';
import { applyOp } from '../ops/apply.js';
import { add, div, maximum, mul, sub } from '../ops/binary/binary.js';
import { defineOp } from '../ops/define-op.js';
import { sqrt } from '../ops/unary/unary.js';
import { assertFloat, assertSameDType } from '../ops/validate.js';
import { shapesEqual } from '../shape.js';
import { noGrad } from '../tape/grad-mode.js';
import type { Tensor } from '../tensor.js';

/** The hyperparameters of one AdamW step; `step` is the 1-based step count of the bias corrections. */
export interface AdamWUpdateAttrs {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly step: number;
  readonly amsgrad: boolean;
}

/** The moments of one parameter: exp_avg, exp_avg_sq and, with amsgrad, max_exp_avg_sq. */
export interface AdamWMoments {
  readonly expAvg: Tensor;
  readonly expAvgSq: Tensor;
  readonly maxExpAvgSq?: Tensor;
}

/** The new parameter value and moments. */
export interface AdamWUpdateResult extends AdamWMoments {
  readonly param: Tensor;
}

export const adamwUpdateOp = defineOp<AdamWUpdateAttrs>({
  name: 'adamwUpdate',
  differentiable: false,
  // Outputs: p', m', v' and, with amsgrad, max(vmax, v').
  infer: ([p], { amsgrad }) => Array.from({ length: amsgrad ? 4 : 3 }, () => ({ shape: p.shape, dtype: p.dtype })),
  // NOTE: under noGrad, so that the decomposition records nothing either (as the kernel path does not).
  decompose: ([param, grad, m0, v0, vmax0], { lr, beta1, beta2, eps, weightDecay, step, amsgrad }) => noGrad(() => {
    const decayed = mul(param, 1 - lr * weightDecay);
    // NOTE: m is updated as a lerp toward g (torch's exp_avg.lerp_), v as β2·v + (1 − β2)·g².
    const expAvg = add(m0, mul(sub(grad, m0), 1 - beta1));
    const expAvgSq = add(mul(v0, beta2), mul(mul(grad, grad), 1 - beta2));
    const maxExpAvgSq = amsgrad ? maximum(vmax0, expAvgSq) : undefined;
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const denom = add(div(sqrt(maxExpAvgSq ?? expAvgSq), Math.sqrt(biasCorrection2)), eps);
    const value = sub(decayed, mul(div(expAvg, denom), lr / biasCorrection1));
    return maxExpAvgSq ? [value, expAvg, expAvgSq, maxExpAvgSq] : [value, expAvg, expAvgSq];
  }),
});

/**
 * One AdamW step of `param` with gradient `grad` and its previous moments (torch.optim.AdamW's
 * update: decoupled weight decay, bias-corrected Adam, optionally AMSGrad, which needs
 * `moments.maxExpAvgSq`). Returns new tensors; nothing is assigned.
 * @example const next = adamwUpdate(p, p.grad!, { expAvg: m, expAvgSq: v }, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1, amsgrad: false });
 */
export function adamwUpdate(param: Tensor, grad: Tensor, moments: AdamWMoments, attrs: AdamWUpdateAttrs): AdamWUpdateResult {
  assertFloat('adamwUpdate', 'param', param);
  const inputs: [string, Tensor | undefined][] = [['grad', grad], ['expAvg', moments.expAvg], ['expAvgSq', moments.expAvgSq]];
  if (attrs.amsgrad) inputs.push(['maxExpAvgSq', moments.maxExpAvgSq]);
  for (const [name, t] of inputs) {
    if (!t) throw new ConfigError('adamwUpdate', name, 'a tensor when amsgrad is true', 'none');
    assertSameDType('adamwUpdate', param, t, ['param', name]);
    if (!shapesEqual(t.shape, param.shape)) {
      throw new ShapeError('SHAPE_MISMATCH', 'adamwUpdate', name, 'does not match its parameter', formatShape(param.shape), formatShape(t.shape));
    }
  }
  const [value, expAvg, expAvgSq, maxExpAvgSq] = applyOp(adamwUpdateOp, [param, ...inputs.map(([, t]) => t!)], attrs);
  return maxExpAvgSq ? { param: value, expAvg, expAvgSq, maxExpAvgSq } : { param: value, expAvg, expAvgSq };
}
