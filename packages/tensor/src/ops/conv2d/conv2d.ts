// conv2d (primitive) with torch.nn.functional.conv2d semantics: NCHW input, weight
// (Cout, Cin/groups, kH, kW), optional bias, stride / zero padding / dilation / groups. Its
// gradient uses two more primitives (conv2dBackwardInput, conv2dBackwardWeight) and a sum.
import { ConfigError, ShapeError, formatShape } from '../../errors/index.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { defineOp } from '../define-op.js';
import { sum } from '../reduce/reduce.js';
import { assertFloat, assertSameDType } from '../validate.js';
import {
  convOutputSize, type Conv2dAttrs, type Conv2dBackwardInputAttrs, type Conv2dBackwardWeightAttrs, type Conv2dGeometry,
} from './reference.js';

export interface Conv2dOptions {
  /** Step between output positions, one number or [h, w] (default 1). */
  readonly stride?: number | readonly [number, number];
  /** Zeros added on both sides of each spatial axis, one number or [h, w] (default 0). */
  readonly padding?: number | readonly [number, number];
  /** Spacing between kernel taps, one number or [h, w] (default 1). */
  readonly dilation?: number | readonly [number, number];
  /** Channel groups: Cin and Cout must both be divisible by it (default 1). */
  readonly groups?: number;
}

/** dx (N, Cin, H, W) from g (N, Cout, Ho, Wo) and w; no gradient of its own. */
export const conv2dBackwardInputOp = defineOp<Conv2dBackwardInputAttrs>({
  name: 'conv2dBackwardInput',
  differentiable: false,
  infer: ([g, w], { inputSize, groups }) => [{ shape: [g.shape[0], w.shape[1] * groups, ...inputSize], dtype: g.dtype }],
});

/** dw (Cout, Cin/groups, kH, kW) from x and g (N, Cout, Ho, Wo); no gradient of its own. */
export const conv2dBackwardWeightOp = defineOp<Conv2dBackwardWeightAttrs>({
  name: 'conv2dBackwardWeight',
  differentiable: false,
  infer: ([x, g], { kernelSize, groups }) => [{ shape: [g.shape[1], x.shape[1] / groups, ...kernelSize], dtype: x.dtype }],
});

export const conv2dOp = defineOp<Conv2dAttrs>({
  name: 'conv2d',
  infer: ([x, w], { stride, padding, dilation }) => [{
    shape: [x.shape[0], w.shape[0], ...([0, 1] as const).map((i) => convOutputSize(x.shape[2 + i], w.shape[2 + i], stride[i], padding[i], dilation[i]))],
    dtype: x.dtype,
  }],
  gradient: ({ inputs: [x, w], grads: [g], attrs: { hasBias, ...geometry } }) => {
    const dx = applyOp(conv2dBackwardInputOp, [g!, w], { ...geometry, inputSize: [x.shape[2], x.shape[3]] })[0];
    const dw = applyOp(conv2dBackwardWeightOp, [x, g!], { ...geometry, kernelSize: [w.shape[2], w.shape[3]] })[0];
    return hasBias ? [dx, dw, sum(g!, [0, 2, 3])] : [dx, dw];
  },
});

/** A spatial option as [h, w] of integers >= `min`; ConfigError otherwise. */
function pair(key: string, value: number | readonly [number, number], min: number): [number, number] {
  const [h, w] = typeof value === 'number' ? [value, value] : value;
  const ok = (v: number) => Number.isInteger(v) && v >= min;
  if ((typeof value !== 'number' && value.length !== 2) || !ok(h) || !ok(w)) {
    throw new ConfigError('conv2d', key, `an integer >= ${min} or a pair [h, w] of them`, JSON.stringify(value));
  }
  return [h, w];
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of x (N, Cin, H, W) with weight
 * (Cout, Cin/groups, kH, kW) plus bias (Cout): y (N, Cout, Ho, Wo) with
 * Ho = floor((H + 2·padding − dilation·(kH − 1) − 1) / stride) + 1, and likewise Wo.
 * @example conv2d(images, weight, bias, { stride: 2, padding: 1 }) // (B, 3, 32, 32) → (B, Cout, 16, 16) for 3×3 kernels
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  assertFloat('conv2d', 'x', x);
  assertSameDType('conv2d', x, weight, ['x', 'weight']);
  const geometry: Conv2dGeometry = {
    stride: pair('stride', options.stride ?? 1, 1),
    padding: pair('padding', options.padding ?? 0, 0),
    dilation: pair('dilation', options.dilation ?? 1, 1),
    groups: options.groups ?? 1,
  };
  const { groups } = geometry;
  if (!Number.isInteger(groups) || groups < 1) throw new ConfigError('conv2d', 'groups', 'a positive integer', String(groups));
  if (x.rank !== 4) throw new ShapeError('SHAPE_MISMATCH', 'conv2d', 'x', 'is not a batch of images', 'shape (N, Cin, H, W)', formatShape(x.shape));
  if (weight.rank !== 4 || weight.shape[2] < 1 || weight.shape[3] < 1) {
    throw new ShapeError('SHAPE_MISMATCH', 'conv2d', 'weight', 'is not a bank of kernels', 'shape (Cout, Cin/groups, kH, kW) with kH, kW >= 1', formatShape(weight.shape));
  }
  const [Cout, Cg, kH, kW] = weight.shape;
  if (Cg * groups !== x.shape[1]) {
    throw new ShapeError('SHAPE_MISMATCH', 'conv2d', 'weight', 'does not fit the input channels',
      `weight.shape[1] · groups == x.shape[1] (${x.shape[1]}) with groups ${groups}`, `weight ${formatShape(weight.shape)}`);
  }
  if (Cout % groups !== 0) {
    throw new ShapeError('SHAPE_MISMATCH', 'conv2d', 'weight', 'has output channels not divisible by groups', `weight.shape[0] a multiple of ${groups}`, formatShape(weight.shape));
  }
  const [pH, pW] = geometry.padding;
  const [dH, dW] = geometry.dilation;
  if (x.shape[2] + 2 * pH < dH * (kH - 1) + 1 || x.shape[3] + 2 * pW < dW * (kW - 1) + 1) {
    throw new ShapeError('SHAPE_MISMATCH', 'conv2d', 'x', 'is smaller than the dilated kernel',
      `padded size (H + 2·padding, W + 2·padding) >= (${dH * (kH - 1) + 1}, ${dW * (kW - 1) + 1})`, `(${x.shape[2] + 2 * pH}, ${x.shape[3] + 2 * pW}) for x ${formatShape(x.shape)}`);
  }
  if (bias) {
    assertSameDType('conv2d', x, bias, ['x', 'bias']);
    if (bias.rank !== 1 || bias.shape[0] !== Cout) {
      throw new ShapeError('SHAPE_MISMATCH', 'conv2d', 'bias', 'does not match the output channels', formatShape([Cout]), formatShape(bias.shape));
    }
  }
  return applyOp(conv2dOp, bias ? [x, weight, bias] : [x, weight], { ...geometry, hasBias: !!bias })[0];
}
