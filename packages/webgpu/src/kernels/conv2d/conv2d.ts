// conv2d and its two backward primitives as direct kernels (one invocation per output element,
// f32 accumulation, no atomics), on contiguous NCHW inputs with offsets. The three share the
// geometry Params (input, weight, output sizes, stride, padding, dilation, groups).
import { sizeOf, type AttrsOf } from '@longshort/tensor';
import { defineWebGPUKernel, type GpuView } from '../../kernel.js';
import type { ParamsValues } from '../../params.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { wgslHeader } from '../elementwise.js';
import backwardInputWgsl from './conv2d-backward-input.wgsl';
import backwardWeightWgsl from './conv2d-backward-weight.wgsl';
import conv2dWgsl from './conv2d.wgsl';

/** The geometry fields of Params from x (N, Cin, H, W), w (Cout, Cg, kH, kW) and y (N, Cout, Ho, Wo) shapes. */
function geometryParams(x: readonly number[], w: readonly number[], y: readonly number[], geometry: Omit<AttrsOf<'conv2d'>, 'hasBias'>): ParamsValues {
  return {
    input: x, weight: w, output: [y[2], y[3]],
    stride: geometry.stride, padding: geometry.padding, dilation: geometry.dilation, out_per_group: w[0] / geometry.groups,
  };
}

function program(label: string, dtype: GpuView['dtype'], wgsl: string) {
  return { label, key: dtype, code: () => linkWgsl(wgslHeader({ X: dtype }, ''), snippets.index, wgsl) };
}

export const conv2dKernel = defineWebGPUKernel<AttrsOf<'conv2d'>>('conv2d', {
  run(context, [x, w, bias], [y], attrs) {
    const size = sizeOf(y.shape);
    if (size === 0) return;
    // NOTE: without a bias, w is bound in its place (never read), so one pipeline serves both.
    const biasView = attrs.hasBias ? bias : w;
    context.dispatch(program('conv2d', x.dtype, conv2dWgsl), [x.data.buffer, w.data.buffer, biasView.data.buffer, y.data.buffer], {
      size, has_bias: attrs.hasBias ? 1 : 0, offset_x: x.offset, offset_w: w.offset, offset_bias: biasView.offset,
      ...geometryParams(x.shape, w.shape, y.shape, attrs),
    }, Math.ceil(size / 256));
  },
});

export const conv2dBackwardInputKernel = defineWebGPUKernel<AttrsOf<'conv2dBackwardInput'>>('conv2dBackwardInput', {
  run(context, [g, w], [dx], attrs) {
    const size = sizeOf(dx.shape);
    if (size === 0) return;
    context.dispatch(program('conv2dBackwardInput', g.dtype, backwardInputWgsl), [g.data.buffer, w.data.buffer, dx.data.buffer], {
      size, offset_g: g.offset, offset_w: w.offset, ...geometryParams(dx.shape, w.shape, g.shape, attrs),
    }, Math.ceil(size / 256));
  },
});

export const conv2dBackwardWeightKernel = defineWebGPUKernel<AttrsOf<'conv2dBackwardWeight'>>('conv2dBackwardWeight', {
  run(context, [x, g], [dw], attrs) {
    const size = sizeOf(dw.shape);
    if (size === 0) return;
    context.dispatch(program('conv2dBackwardWeight', x.dtype, backwardWeightWgsl), [x.data.buffer, g.data.buffer, dw.data.buffer], {
      size, offset_x: x.offset, offset_g: g.offset, ...geometryParams(x.shape, dw.shape, g.shape, attrs),
    }, Math.ceil(size / 256));
  },
});
