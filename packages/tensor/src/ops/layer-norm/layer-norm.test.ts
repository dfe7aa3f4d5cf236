import { describe, expect, it } from 'vitest';
import { ConfigError, DTypeError, Generator, ShapeError, fromArray, layerNorm, memory, tensor, withImpl } from '../../index.js';
import { compositeKernelBackend, expectClose, gradcheck } from '../../testing/index.js';

/** Float64 reference: each row of `size` trailing elements normalised, then weight and bias. */
function layerNormReference(x: number[], size: number, eps: number, weight?: number[], bias?: number[]): Float64Array {
  const out = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += size) {
    const row = x.slice(start, start + size);
    const mu = row.reduce((a, b) => a + b, 0) / size;
    const variance = row.reduce((a, b) => a + (b - mu) ** 2, 0) / size;
    row.forEach((v, i) => {
      out[start + i] = ((v - mu) / Math.sqrt(variance + eps)) * (weight ? weight[i] : 1) + (bias ? bias[i] : 0);
    });
  }
  return out;
}

const normals = (g: Generator, n: number, scale = 1, shift = 0) => Array.from({ length: n }, () => shift + scale * g.normal());
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('layerNorm', () => {
  it('matches a float64 reference on random shapes, with and without affine parameters', () => {
    const g = new Generator(31);
    const cases: [number[], number][] = [[[2, 3, 8], 1], [[4, 6], 2], [[0, 5], 1], [[3, 2, 2], 2], [[7], 1], [[2, 3, 4], 3]];
    for (const [shape, k] of cases) {
      const normalized = shape.slice(shape.length - k);
      const n = sizeOf(normalized);
      const x = normals(g, sizeOf(shape), 2, 0.5);
      const w = normals(g, n);
      const b = normals(g, n);
      for (const [useWeight, useBias] of [[true, true], [false, false], [true, false], [false, true]]) {
        const ref = layerNormReference(x, n, 1e-5, useWeight ? w : undefined, useBias ? b : undefined);
        const label = `${shape} k=${k} weight=${useWeight} bias=${useBias}`;
        const y = layerNorm(fromArray(x, shape), useWeight ? fromArray(w, normalized) : undefined, useBias ? fromArray(b, normalized) : null, { normalizedAxes: k });
        expect(y.shape).toEqual(shape);
        expectClose(y.dataSync(), ref, { atol: 1e-5, rtol: 1e-4 }, `f32 ${label}`);
        const y64 = layerNorm(fromArray(x, shape, 'f64'), useWeight ? fromArray(w, normalized, 'f64') : null, useBias ? fromArray(b, normalized, 'f64') : undefined, { normalizedAxes: k });
        expectClose(y64.dataSync(), ref, { atol: 1e-13, rtol: 1e-12 }, `f64 ${label}`);
      }
    }
  });

  it('matches values computed by PyTorch', () => {
    // torch 1.13, float64: F.layer_norm(x, (4,), w, b, 1e-5) and F.layer_norm(x3, (2, 2), None, None, 0.1)
    const x = tensor([[1, 2, 4, 8], [-1, 0.5, 0.25, 3]], undefined, 'f64');
    const w = tensor([1.5, -0.5, 2, 0.25], undefined, 'f64');
    const b = tensor([0.1, 0.2, -0.3, 0], undefined, 'f64');
    expectClose(layerNorm(x, w, b).dataSync(), [-1.4386318632442898, 0.5263764558396978, -0.11349916809160127, 0.39631426780534734,
      -1.644454350958883, 0.26460942040588453, -0.9030212571215892, 0.39842475916962145], { atol: 1e-14, rtol: 1e-13 });
    const x3 = tensor([[[1, 2], [3, 5]]], undefined, 'f64');
    expectClose(layerNorm(x3, null, null, { eps: 0.1, normalizedAxes: 2 }).dataSync(), [-1.157064308587751, -0.4958847036804648, 0.16529490122682144, 1.487654111041394], { atol: 1e-14, rtol: 1e-13 });
  });

  it('maps a constant row to the bias (variance 0 is guarded by eps)', () => {
    const y = layerNorm(tensor([[3, 3, 3]]), null, tensor([1, 2, 3]));
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
  });

  it('passes gradcheck for x, weight and bias', () => {
    const g = new Generator(32);
    const [x1, w1, b1, x2, w2] = [normals(g, 15, 1.5), normals(g, 5), normals(g, 5), normals(g, 12), normals(g, 6)];
    for (const backend of [undefined, compositeKernelBackend()]) {
      gradcheck((x, w, b) => layerNorm(x, w, b), [{ values: x1, shape: [3, 5] }, { values: w1, shape: [5] }, { values: b1, shape: [5] }], { backend });
      gradcheck((x, w) => layerNorm(x, w, null, { normalizedAxes: 2, eps: 1e-3 }), [{ values: x2, shape: [2, 2, 3] }, { values: w2, shape: [2, 3] }], { backend });
      gradcheck((x) => layerNorm(x), [{ values: x1, shape: [3, 5] }], { backend });
    }
  });

  it('frees every intermediate', () => {
    const x = fromArray(normals(new Generator(33), 12), [3, 4]);
    const w = tensor([1, 2, 3, 4]);
    const before = memory().liveTensors;
    const y = withImpl('composed', () => layerNorm(x, w, null));
    expect(memory().liveTensors).toBe(before + 1);
    for (const t of [x, w, y]) t.dispose();
  });

  it('validates its arguments', () => {
    const x = tensor([[1, 2, 3]]);
    expect(() => layerNorm(tensor([[1, 2]], undefined, 'i32'))).toThrow(DTypeError);
    expect(() => layerNorm(x, tensor([1, 2]))).toThrow(ShapeError);
    expect(() => layerNorm(x, tensor([1, 2]))).toThrow(/layerNorm: weight does not match the normalized shape; expected \(3,\), got \(2,\)/);
    expect(() => layerNorm(x, null, tensor([1, 2, 3], undefined, 'f64'))).toThrow(DTypeError);
    expect(() => layerNorm(x, null, null, { normalizedAxes: 3 })).toThrow(/normalizedAxes is out of range; expected an integer in \[1, 2\]/);
    expect(() => layerNorm(x, null, null, { normalizedAxes: 0 })).toThrow(ShapeError);
    expect(() => layerNorm(x, null, null, { eps: -1 })).toThrow(ConfigError);
  });
});
