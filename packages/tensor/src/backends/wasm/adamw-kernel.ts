// The fast CPU backend's `adamwUpdate` kernel: AdamW's step of one parameter in one loop over its
// elements instead of eleven elementwise ops (optim/adamw-update.ts). Every operation is rounded
// to the dtype as the decomposition's kernels round it (Math.fround for f32: an f32 operation done
// in float64 and rounded once is the correctly rounded f32 result), so results are identical.
import type { AdamWUpdateAttrs } from '../../optim/adamw-update.js';
import type { CpuKernel } from '../cpu/cpu-kernel.js';

const identity = (x: number) => x;

/**
 * p', m', v' (and max(vmax, v')) from p, g, m, v (and vmax), all contiguous and of one shape.
 * @example backend.registerKernel('adamwUpdate', adamwUpdateLoop);
 */
export const adamwUpdateLoop: CpuKernel<AdamWUpdateAttrs> = (inputs, outputs, { lr, beta1, beta2, eps, weightDecay, step, amsgrad }) => {
  const r = inputs[0].dtype === 'f32' ? Math.fround : identity;
  const [p, g, m0, v0, vmax0] = inputs.map((view) => view.array.subarray(view.offset));
  const [pOut, mOut, vOut, vmaxOut] = outputs.map((view) => view.array);
  // The scalars, as the decomposition's scalar operands (rounded to the dtype).
  const decay = r(1 - lr * weightDecay);
  const oneMinusBeta1 = r(1 - beta1);
  const b2 = r(beta2);
  const oneMinusBeta2 = r(1 - beta2);
  const correction2 = r(Math.sqrt(1 - beta2 ** step));
  const stepSize = r(lr / (1 - beta1 ** step));
  const epsilon = r(eps);
  for (let i = 0; i < pOut.length; i++) {
    const m = r(m0[i] + r(r(g[i] - m0[i]) * oneMinusBeta1));
    const v = r(r(v0[i] * b2) + r(r(g[i] * g[i]) * oneMinusBeta2));
    let second = v;
    if (amsgrad) {
      second = Math.max(vmax0[i], v); // NaN propagates, as in the maximum op
      vmaxOut[i] = second;
    }
    const denom = r(r(r(Math.sqrt(second)) / correction2) + epsilon);
    pOut[i] = r(r(p[i] * decay) - r(r(m / denom) * stepSize));
    mOut[i] = m;
    vOut[i] = v;
  }
};
