import { describe, expect, it } from 'vitest';
import { ConfigError, DTypeError, Generator, ShapeError, conv2d, fromArray, memory, sum, tensor, tidy, zeros, type Conv2dOptions } from '../../index.js';
import { expectClose, gradcheck } from '../../testing/index.js';

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const normals = (g: Generator, n: number) => Array.from({ length: n }, () => g.normal());
const pairOf = (v: number | readonly [number, number] | undefined, fallback: number) => (v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v);

/** Naive float64 conv2d from the definition of torch.nn.functional.conv2d (zero padding, cross-correlation). */
function conv2dReference(x: number[], xShape: number[], w: number[], wShape: number[], bias: number[] | null, options: Conv2dOptions) {
  const [N, Cin, H, W] = xShape;
  const [Cout, Cg, kH, kW] = wShape;
  const [sH, sW] = pairOf(options.stride, 1);
  const [pH, pW] = pairOf(options.padding, 0);
  const [dH, dW] = pairOf(options.dilation, 1);
  const groups = options.groups ?? 1;
  const Ho = Math.floor((H + 2 * pH - dH * (kH - 1) - 1) / sH) + 1;
  const Wo = Math.floor((W + 2 * pW - dW * (kW - 1) - 1) / sW) + 1;
  const xAt = (n: number, c: number, i: number, j: number) => (i < 0 || i >= H || j < 0 || j >= W ? 0 : x[((n * Cin + c) * H + i) * W + j]);
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < Cout; oc++) {
      const group = Math.floor(oc / (Cout / groups));
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let s = bias ? bias[oc] : 0;
          for (let c = 0; c < Cg; c++) {
            for (let a = 0; a < kH; a++) {
              for (let b = 0; b < kW; b++) s += w[((oc * Cg + c) * kH + a) * kW + b] * xAt(n, group * Cg + c, i * sH - pH + a * dH, j * sW - pW + b * dW);
            }
          }
          out.push(s);
        }
      }
    }
  }
  return { values: out, shape: [N, Cout, Ho, Wo] };
}

describe('conv2d', () => {
  it('matches a naive float64 loop on random configurations, including size-0 dims', () => {
    const g = new Generator(401);
    // x shape, weight shape, options, with bias
    const cases: [number[], number[], Conv2dOptions, boolean][] = [
      [[2, 3, 6, 5], [4, 3, 3, 3], {}, true],
      [[1, 2, 7, 7], [3, 2, 3, 3], { stride: 2, padding: 1 }, true],
      [[2, 4, 5, 6], [6, 2, 3, 2], { groups: 2, padding: [1, 0] }, false],
      [[1, 3, 9, 8], [2, 3, 3, 3], { dilation: 2, stride: [1, 2], padding: [2, 1] }, true],
      [[1, 6, 4, 4], [6, 1, 3, 3], { groups: 6, padding: 1 }, true], // depthwise
      [[1, 1, 4, 4], [1, 1, 4, 4], {}, false], // kernel as large as the input
      [[1, 2, 3, 3], [2, 2, 1, 1], { stride: 3 }, true],
      [[0, 3, 5, 5], [2, 3, 3, 3], { padding: 1 }, true], // empty batch
      [[2, 3, 5, 5], [0, 3, 3, 3], {}, false], // no output channels
      [[2, 0, 4, 4], [3, 0, 3, 3], {}, true], // no input channels: bias only
      [[1, 2, 0, 3], [2, 2, 1, 1], { padding: [1, 0] }, true], // empty height, padded: bias only
    ];
    for (const [xShape, wShape, options, withBias] of cases) {
      const x = normals(g, sizeOf(xShape));
      const w = normals(g, sizeOf(wShape));
      const b = withBias ? normals(g, wShape[0]) : null;
      const ref = conv2dReference(x, xShape, w, wShape, b, options);
      const label = `x ${xShape} w ${wShape} ${JSON.stringify(options)} bias=${withBias}`;
      for (const dtype of ['f32', 'f64'] as const) {
        const y = conv2d(fromArray(x, xShape, dtype), fromArray(w, wShape, dtype), b && fromArray(b, [wShape[0]], dtype), options);
        expect(y.shape, label).toEqual(ref.shape);
        expect(y.dtype).toBe(dtype);
        expectClose(y.dataSync(), ref.values, dtype === 'f32' ? { atol: 1e-5, rtol: 1e-5 } : { atol: 1e-13, rtol: 1e-13 }, `${dtype} ${label}`);
      }
    }
  });

  it('computes a hand-checked example', () => {
    // a 3×3 image of 1..9 and a 2×2 kernel [[1, 0], [0, -1]], padding 1, stride 2: x[i−1, j−1] − x[i, j]
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    const y = conv2d(x, tensor([[[[1, 0], [0, -1]]]]), tensor([10]), { stride: 2, padding: 1 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.dataSync())).toEqual([10 - 1, 10 - 3, 10 - 7, 10 + 5 - 9]);
  });

  it('passes gradcheck for x, weight and bias (stride 2 + padding 1, groups 2, dilation, no bias)', () => {
    const g = new Generator(402);
    const check = (xShape: number[], wShape: number[], options: Conv2dOptions, withBias: boolean) => {
      const inputs = [{ values: normals(g, sizeOf(xShape)), shape: xShape }, { values: normals(g, sizeOf(wShape)), shape: wShape }];
      if (withBias) inputs.push({ values: normals(g, wShape[0]), shape: [wShape[0]] });
      gradcheck((x, w, b) => conv2d(x, w, b, options), inputs);
    };
    check([2, 2, 5, 5], [3, 2, 3, 3], { stride: 2, padding: 1 }, true);
    check([1, 4, 4, 5], [4, 2, 3, 2], { groups: 2, padding: [1, 0] }, true);
    check([1, 2, 6, 5], [2, 2, 2, 2], { dilation: [2, 1], stride: [1, 2], padding: 1 }, false);
  });

  it('does not record the backward primitives and frees every intermediate of a backward pass', () => {
    const x = fromArray(normals(new Generator(403), 2 * 2 * 4 * 4), [2, 2, 4, 4]).requireGrad();
    const w = zeros([3, 2, 3, 3]).requireGrad();
    const b = zeros([3]).requireGrad();
    const before = memory().liveTensors;
    tidy(() => sum(conv2d(x, w, b, { padding: 1 })).backward());
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.shape).toEqual([2, 2, 4, 4]);
    expect(w.grad!.shape).toEqual([3, 2, 3, 3]);
    expect(Array.from(b.grad!.dataSync())).toEqual([32, 32, 32]); // every output position of every image
    expect(memory().liveTensors).toBe(before + 3); // the three .grad tensors
    for (const t of [x, w, b]) t.dispose();
  });

  it('validates its arguments', () => {
    const x = zeros([1, 4, 5, 5]);
    const w = zeros([2, 4, 3, 3]);
    expect(() => conv2d(zeros([4, 5, 5]), w)).toThrow(/conv2d: x is not a batch of images; expected shape \(N, Cin, H, W\), got \(4,5,5\)/);
    expect(() => conv2d(x, zeros([2, 4, 3]))).toThrow(/conv2d: weight is not a bank of kernels/);
    expect(() => conv2d(x, zeros([2, 4, 0, 3]))).toThrow(ShapeError);
    expect(() => conv2d(x, zeros([2, 3, 3, 3]))).toThrow(/conv2d: weight does not fit the input channels; expected weight.shape\[1\] · groups == x.shape\[1\] \(4\) with groups 1, got weight \(2,3,3,3\)/);
    expect(() => conv2d(x, zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow(/conv2d: weight has output channels not divisible by groups/);
    expect(() => conv2d(x, zeros([2, 4, 7, 3]))).toThrow(/conv2d: x is smaller than the dilated kernel; expected padded size \(H \+ 2·padding, W \+ 2·padding\) >= \(7, 3\), got \(5, 5\)/);
    expect(() => conv2d(x, w, null, { dilation: 3 })).toThrow(ShapeError);
    expect(() => conv2d(x, w, zeros([3]))).toThrow(/conv2d: bias does not match the output channels; expected \(2,\), got \(3,\)/);
    expect(() => conv2d(x, w, null, { stride: 0 })).toThrow(/conv2d: 'stride' is invalid; expected an integer >= 1 or a pair \[h, w\] of them, got 0/);
    expect(() => conv2d(x, w, null, { padding: [1, -1] })).toThrow(ConfigError);
    expect(() => conv2d(x, w, null, { groups: 0 })).toThrow(/conv2d: 'groups' is invalid/);
    expect(() => conv2d(x, zeros([2, 4, 3, 3], 'f64'))).toThrow(DTypeError);
    expect(() => conv2d(x, w, zeros([2], 'f64'))).toThrow(DTypeError);
    expect(() => conv2d(zeros([1, 4, 5, 5], 'i32'), w)).toThrow(DTypeError);
  });
});
