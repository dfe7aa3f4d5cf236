import { describe, expect, it } from 'vitest';
import { DTypeError, Generator, ShapeError, fromArray, linear, memory, tensor, transpose, withImpl } from '../../index.js';
import { expectClose, gradcheck } from '../../testing/index.js';

/** Float64 reference: every row of x (length in) times Wᵀ plus b. */
function linearReference(x: number[], w: number[], b: number[] | null, inFeatures: number, outFeatures: number): Float64Array {
  const rows = x.length / inFeatures;
  const out = new Float64Array(rows * outFeatures);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outFeatures; o++) {
      let acc = b ? b[o] : 0;
      for (let i = 0; i < inFeatures; i++) acc += x[r * inFeatures + i] * w[o * inFeatures + i];
      out[r * outFeatures + o] = acc;
    }
  }
  return out;
}

const normals = (g: Generator, n: number) => Array.from({ length: n }, () => g.normal());

describe('linear', () => {
  it('matches a float64 reference for any number of leading dimensions', () => {
    const g = new Generator(41);
    const cases: [number[], number][] = [[[5], 3], [[4, 5], 3], [[2, 3, 5], 4], [[0, 6], 2], [[2, 0, 3], 5], [[3, 4], 0]];
    for (const [xShape, outFeatures] of cases) {
      const inFeatures = xShape[xShape.length - 1];
      const x = normals(g, xShape.reduce((a, b) => a * b, 1));
      const w = normals(g, outFeatures * inFeatures);
      const b = normals(g, outFeatures);
      for (const withBias of [true, false]) {
        const ref = linearReference(x, w, withBias ? b : null, inFeatures, outFeatures);
        const y = linear(fromArray(x, xShape), fromArray(w, [outFeatures, inFeatures]), withBias ? fromArray(b, [outFeatures]) : undefined);
        expect(y.shape).toEqual([...xShape.slice(0, -1), outFeatures]);
        expectClose(y.dataSync(), ref, { atol: 1e-5, rtol: 1e-4 }, `f32 ${xShape} → ${outFeatures} bias=${withBias}`);
        const y64 = linear(fromArray(x, xShape, 'f64'), fromArray(w, [outFeatures, inFeatures], 'f64'), withBias ? fromArray(b, [outFeatures], 'f64') : null);
        expectClose(y64.dataSync(), ref, { atol: 1e-14, rtol: 1e-13 }, `f64 ${xShape} → ${outFeatures} bias=${withBias}`);
      }
    }
  });

  it('accepts strided inputs (a transposed x)', () => {
    const xt = transpose(tensor([[1, 3], [2, 4]])); // [[1, 2], [3, 4]]
    const y = linear(xt, tensor([[1, -1]]), tensor([0.5]));
    expect(Array.from(y.dataSync())).toEqual([-0.5, -0.5]);
  });

  it('passes gradcheck for x, weight and bias', () => {
    const g = new Generator(42);
    gradcheck((x, w, b) => linear(x, w, b), [
      { values: normals(g, 12), shape: [2, 2, 3] },
      { values: normals(g, 12), shape: [4, 3] },
      { values: normals(g, 4), shape: [4] },
    ]);
    gradcheck((x, w) => linear(x, w), [{ values: normals(g, 3), shape: [3] }, { values: normals(g, 6), shape: [2, 3] }]);
  });

  it('frees every intermediate', () => {
    const [x, w, b] = [tensor([[1, 2, 3]]), tensor([[1, 0, 0], [0, 1, 0]]), tensor([1, 1])];
    const before = memory().liveTensors;
    const y = withImpl('composed', () => linear(x, w, b));
    expect(Array.from(y.dataSync())).toEqual([2, 3]);
    expect(memory().liveTensors).toBe(before + 1);
    for (const t of [x, w, b, y]) t.dispose();
  });

  it('validates its arguments', () => {
    const x = tensor([[1, 2, 3]]);
    expect(() => linear(x, tensor([[1, 2]]))).toThrow(ShapeError);
    expect(() => linear(x, tensor([[1, 2]]))).toThrow(/linear: weight does not fit x; expected weight \(out, in\) with in == x.shape\[-1\], got x \(1,3\) and weight \(1,2\)/);
    expect(() => linear(x, tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => linear(tensor(1), tensor([[1]]))).toThrow(ShapeError);
    expect(() => linear(x, tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow(/linear: bias does not match the output features; expected \(1,\), got \(2,\)/);
    expect(() => linear(x, tensor([[1, 2, 3]], undefined, 'f64'))).toThrow(DTypeError);
    expect(() => linear(tensor([[1, 2]], undefined, 'i32'), tensor([[1, 2]], undefined, 'i32'))).toThrow(DTypeError);
  });
});
