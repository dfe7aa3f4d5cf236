// The fused AdamW step (the adamwUpdate composite of @longshort/tensor, optim/adamw-update.ts): one
// elementwise pass over contiguous p, g, m, v (and the AMSGrad maximum) writing every output
// (adamw-update.wgsl); f32 or f16 storage with f32 arithmetic.
import { sizeOf, type AdamWUpdateAttrs } from '@longshort/tensor';
import { defineWebGPUKernel } from '../../kernel.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchFlat, wgslHeader } from '../elementwise.js';
import adamwUpdateWgsl from './adamw-update.wgsl';

/** The bindings (inputs, then outputs, as dispatched) and second_moment() of the variant. */
function variant(amsgrad: boolean): string {
  const inputs = ['p_in', 'g', 'm_in', 'v_in', ...(amsgrad ? ['vmax_in'] : [])];
  const outputs = ['p_out', 'm_out', 'v_out', ...(amsgrad ? ['vmax_out'] : [])];
  const bindings = [
    ...inputs.map((name, i) => `@group(0) @binding(${i}) var<storage, read> ${name}: array<X>;`),
    ...outputs.map((name, i) => `@group(0) @binding(${inputs.length + i}) var<storage, read_write> ${name}: array<X>;`),
    `@group(0) @binding(${inputs.length + outputs.length}) var<uniform> p: Params;`,
  ];
  const secondMoment = amsgrad
    ? 'let top = max_f32(f32(vmax_in[p.offset_vmax + i]), v);\n  vmax_out[i] = X(top);\n  return top;'
    : 'return v;';
  return `${bindings.join('\n')}\nfn second_moment(i: u32, v: f32) -> f32 {\n  ${secondMoment}\n}`;
}

/** One AdamW step: inputs p, g, m, v[, vmax]; outputs p', m', v'[, vmax']. */
export const adamwUpdateKernel = defineWebGPUKernel<AdamWUpdateAttrs>('adamwUpdate', {
  run(context, inputs, outputs, { lr, beta1, beta2, eps, weightDecay, step, amsgrad }) {
    const [param, grad, m, v, vmax] = inputs;
    const size = sizeOf(param.shape);
    dispatchFlat(context, {
      label: 'adamwUpdate',
      key: `${param.dtype}|${amsgrad ? 'amsgrad' : 'adam'}`,
      code: () => linkWgsl(wgslHeader({ X: param.dtype }, ''), snippets.index, snippets.numerics, adamwUpdateWgsl, variant(amsgrad)),
    }, [...inputs, ...outputs].map((t) => t.data.buffer), {
      offset_p: param.offset,
      offset_g: grad.offset,
      offset_m: m.offset,
      offset_v: v.offset,
      offset_vmax: vmax?.offset ?? 0,
      decay: 1 - lr * weightDecay,
      one_minus_beta1: 1 - beta1,
      beta2,
      one_minus_beta2: 1 - beta2,
      root_correction2: Math.sqrt(1 - beta2 ** step),
      eps,
      step_size: lr / (1 - beta1 ** step),
    }, size);
  },
});
