// CPU reference kernels of conv2d and of its two backward primitives (contiguous NCHW inputs,
// float64 accumulation). All three walk the same taps: every product x[n, ic, ih, iw] ·
// w[oc, c, kh, kw] that output y[n, oc, oh, ow] sums, with ih = oh·stride − padding + kh·dilation.
import type { CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { sizeOf } from '../../shape.js';

export interface Conv2dGeometry {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

export interface Conv2dAttrs extends Conv2dGeometry {
  readonly hasBias: boolean;
}

export interface Conv2dBackwardInputAttrs extends Conv2dGeometry {
  /** (H, W) of the forward input. */
  readonly inputSize: readonly [number, number];
}

export interface Conv2dBackwardWeightAttrs extends Conv2dGeometry {
  /** (kH, kW) of the forward weight. */
  readonly kernelSize: readonly [number, number];
}

/** Output length of one spatial axis (PyTorch's formula). */
export function convOutputSize(input: number, kernel: number, stride: number, padding: number, dilation: number): number {
  return Math.floor((input + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Calls `fn(xIndex, wIndex, yIndex)` (flat row-major indices) for every tap of a convolution of
 * x (N, Cin, H, W) with w (Cout, Cin/groups, kH, kW) into y (N, Cout, Ho, Wo); taps that fall in
 * the zero padding are skipped.
 */
function forEachTap(xShape: readonly number[], wShape: readonly number[], yShape: readonly number[], geometry: Conv2dGeometry,
  fn: (xIndex: number, wIndex: number, yIndex: number) => void): void {
  const [N, Cin, H, W] = xShape;
  const [Cout, Cg, kH, kW] = wShape;
  const [Ho, Wo] = [yShape[2], yShape[3]];
  const { stride: [sH, sW], padding: [pH, pW], dilation: [dH, dW], groups } = geometry;
  const outPerGroup = Cout / groups;
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < Cout; oc++) {
      const firstChannel = Math.floor(oc / outPerGroup) * Cg;
      for (let oh = 0; oh < Ho; oh++) {
        for (let ow = 0; ow < Wo; ow++) {
          const yIndex = ((n * Cout + oc) * Ho + oh) * Wo + ow;
          for (let c = 0; c < Cg; c++) {
            const xPlane = (n * Cin + firstChannel + c) * H;
            for (let kh = 0; kh < kH; kh++) {
              const ih = oh * sH - pH + kh * dH;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < kW; kw++) {
                const iw = ow * sW - pW + kw * dW;
                if (iw < 0 || iw >= W) continue;
                fn((xPlane + ih) * W + iw, ((oc * Cg + c) * kH + kh) * kW + kw, yIndex);
              }
            }
          }
        }
      }
    }
  }
}

/** y = conv(x, w) + bias: inputs x (N, Cin, H, W), w (Cout, Cin/groups, kH, kW), bias (Cout)? */
export const conv2dReference: CpuKernel<Conv2dAttrs> = ([x, w, bias], [y], attrs) => {
  const acc = new Float64Array(sizeOf(y.shape));
  if (attrs.hasBias) {
    const [, Cout, Ho, Wo] = y.shape;
    for (let i = 0; i < acc.length; i++) acc[i] = bias.array[bias.offset + (Math.floor(i / (Ho * Wo)) % Cout)];
  }
  const [xs, ws] = [x.array, w.array];
  forEachTap(x.shape, w.shape, y.shape, attrs, (xi, wi, yi) => {
    acc[yi] += xs[x.offset + xi] * ws[w.offset + wi];
  });
  y.array.set(acc);
};

/** dx from g (N, Cout, Ho, Wo) and w: each tap sends g·w back to the input element it read. */
export const conv2dBackwardInputReference: CpuKernel<Conv2dBackwardInputAttrs> = ([g, w], [dx], attrs) => {
  const acc = new Float64Array(sizeOf(dx.shape));
  const [gs, ws] = [g.array, w.array];
  forEachTap(dx.shape, w.shape, g.shape, attrs, (xi, wi, yi) => {
    acc[xi] += gs[g.offset + yi] * ws[w.offset + wi];
  });
  dx.array.set(acc);
};

/** dw from x and g (N, Cout, Ho, Wo): each tap adds g·x to the weight it used. */
export const conv2dBackwardWeightReference: CpuKernel<Conv2dBackwardWeightAttrs> = ([x, g], [dw], attrs) => {
  const acc = new Float64Array(sizeOf(dw.shape));
  const [xs, gs] = [x.array, g.array];
  forEachTap(x.shape, dw.shape, g.shape, attrs, (xi, wi, yi) => {
    acc[wi] += gs[g.offset + yi] * xs[x.offset + xi];
  });
  dw.array.set(acc);
};
