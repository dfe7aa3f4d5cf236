// The fused layer norm (the composite of @longshort/tensor ops/layer-norm): statistics and the
// affine map in one dispatch per row (layer-norm.wgsl), over the trailing `normalizedAxes` axes of
// a contiguous input, f32 or f16 storage with f32 statistics. Rows are reduced as in
// row-reduction.wgsl.
import { sizeOf } from '@longshort/tensor';
import { defineWebGPUKernel } from '../../kernel.js';
import { wgslHeader } from '../elementwise.js';
import { dispatchRows, rowKernelWgsl } from '../row-reduction/row-reduction.js';
import layerNormWgsl from './layer-norm.wgsl';

/** The layerNorm composite's attributes. */
export interface LayerNormAttrs {
  readonly eps: number;
  readonly normalizedAxes: number;
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

/** Layer norm with optional weight and bias (inputs x[, weight][, bias]). */
export const layerNormKernel = defineWebGPUKernel<LayerNormAttrs>('layerNorm', {
  run(context, [x, ...affine], [y], { eps, normalizedAxes, hasWeight, hasBias }) {
    const length = sizeOf(x.shape.slice(x.shape.length - normalizedAxes));
    const rows = length === 0 ? 0 : sizeOf(x.shape) / length;
    // NOTE: an absent weight or bias binds x's buffer (never read: HAS_WEIGHT / HAS_BIAS are false).
    const weight = hasWeight ? affine[0] : x;
    const bias = hasBias ? affine[hasWeight ? 1 : 0] : x;
    dispatchRows(context, {
      label: 'layerNorm',
      key: x.dtype,
      code: () => rowKernelWgsl(wgslHeader({ X: x.dtype }, ''), layerNormWgsl),
      constants: { HAS_WEIGHT: hasWeight ? 1 : 0, HAS_BIAS: hasBias ? 1 : 0 },
    }, [x.data.buffer, weight.data.buffer, bias.data.buffer, y.data.buffer],
    { rows, length, offset_x: x.offset, offset_weight: weight.offset, offset_bias: bias.offset, eps }, rows, length);
  },
});
