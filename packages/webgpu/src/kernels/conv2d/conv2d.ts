// conv2d and its two backward primitives as direct kernels (one invocation per output element,
// f32 accumulation, no atomics), on contiguous NCHW inputs with offsets. The three share Params
// (conv2d-params.wgsl: operand offsets, input, weight, output sizes, stride, padding, dilation, groups).
import { sizeOf, type AttrsOf } from '@longshort/tensor';
import { defineWebGPUKernel, type GpuView, type KernelContext } from '../../kernel.js';
import type { ParamsValues } from '../../params.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchFlat, wgslHeader } from '../elementwise.js';
import backwardInputWgsl from './conv2d-backward-input.wgsl';
import backwardWeightWgsl from './conv2d-backward-weight.wgsl';
import paramsWgsl from './conv2d-params.wgsl';
import conv2dWgsl from './conv2d.wgsl';

type Geometry = Omit<AttrsOf<'conv2d'>, 'hasBias'>;

/** The operand offsets a kernel reads (the others pack as 0) and whether a bias is added. */
type Operands = Partial<Record<'offset_x' | 'offset_w' | 'offset_g' | 'offset_bias' | 'has_bias', number>>;

/**
 * One dispatch per output element of `out` for a conv2d kernel: Params from x (N, Cin, H, W),
 * w (Cout, Cg, kH, kW) and y (N, Cout, Ho, Wo) shapes, the attrs' geometry and `operands`.
 */
function dispatchConv(context: KernelContext, label: string, wgsl: string, buffers: readonly GpuView[], out: GpuView,
  shapes: { x: readonly number[]; w: readonly number[]; y: readonly number[] }, geometry: Geometry, operands: Operands): void {
  const params: ParamsValues = {
    offset_x: 0, offset_w: 0, offset_g: 0, offset_bias: 0, has_bias: 0, ...operands,
    input: shapes.x, weight: shapes.w, output: [shapes.y[2], shapes.y[3]],
    stride: geometry.stride, padding: geometry.padding, dilation: geometry.dilation, out_per_group: shapes.w[0] / geometry.groups,
  };
  const program = { label, key: out.dtype, code: () => linkWgsl(wgslHeader({ X: out.dtype }, ''), snippets.index, paramsWgsl, wgsl) };
  dispatchFlat(context, program, [...buffers, out].map((v) => v.data.buffer), params, sizeOf(out.shape));
}

export const conv2dKernel = defineWebGPUKernel<AttrsOf<'conv2d'>>('conv2d', {
  run(context, [x, w, bias], [y], attrs) {
    // NOTE: without a bias, w is bound in its place (never read), so one pipeline serves both.
    const biasView = attrs.hasBias ? bias : w;
    dispatchConv(context, 'conv2d', conv2dWgsl, [x, w, biasView], y, { x: x.shape, w: w.shape, y: y.shape }, attrs,
      { offset_x: x.offset, offset_w: w.offset, offset_bias: biasView.offset, has_bias: attrs.hasBias ? 1 : 0 });
  },
});

export const conv2dBackwardInputKernel = defineWebGPUKernel<AttrsOf<'conv2dBackwardInput'>>('conv2dBackwardInput', {
  run(context, [g, w], [dx], attrs) {
    dispatchConv(context, 'conv2dBackwardInput', backwardInputWgsl, [g, w], dx, { x: dx.shape, w: w.shape, y: g.shape }, attrs,
      { offset_g: g.offset, offset_w: w.offset });
  },
});

export const conv2dBackwardWeightKernel = defineWebGPUKernel<AttrsOf<'conv2dBackwardWeight'>>('conv2dBackwardWeight', {
  run(context, [x, g], [dw], attrs) {
    dispatchConv(context, 'conv2dBackwardWeight', backwardWeightWgsl, [x, g], dw, { x: x.shape, w: dw.shape, y: g.shape }, attrs,
      { offset_x: x.offset, offset_g: g.offset });
  },
});
