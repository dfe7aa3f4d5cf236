// The fused GELU (the composite of @longshort/tensor ops/gelu): one elementwise pass over a strided
// input, the exact (erf) or tanh form (gelu.wgsl), f32 or f16 storage with f32 arithmetic. NaN in
// gives NaN out, as in the reference.
import { defineWebGPUKernel } from '../../kernel.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchElementwise, wgslHeader } from '../elementwise.js';
import unaryWgsl from '../unary/unary.wgsl';
import geluWgsl from './gelu.wgsl';

/** The gelu composite's attributes. */
export interface GeluAttrs {
  readonly approximate: 'none' | 'tanh';
}

/** GELU, exact (approximate 'none') or tanh-approximated. */
export const geluKernel = defineWebGPUKernel<GeluAttrs>('gelu', {
  strided: true,
  run(context, [x], [y], { approximate }) {
    const form = approximate === 'tanh' ? 'gelu_tanh_f32' : 'gelu_erf_f32';
    const header = wgslHeader({ X: x.dtype, Y: y.dtype }, `fn op(raw: X) -> Y {\n  let x = f32(raw);\n  return Y(select(${form}(x), x, is_nan(x)));\n}`);
    dispatchElementwise(context, {
      label: 'gelu',
      key: `${x.dtype}>${y.dtype}|${approximate}`,
      code: () => linkWgsl(header, snippets.index, snippets.numerics, geluWgsl, unaryWgsl),
    }, ['x'], [x], y);
  },
});
