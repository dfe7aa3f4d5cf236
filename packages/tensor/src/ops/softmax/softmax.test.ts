import { describe, expect, it } from 'vitest';
import { DTypeError, Generator, ShapeError, add, fromArray, memory, softmax, sum, tensor, withImpl } from '../../index.js';
import { compositeKernelBackend, expectClose, gradcheck } from '../../testing/index.js';

/** Applies `fn` to every slice of row-major `values` along `axis` (float64 reference). */
function alongAxis(values: ArrayLike<number>, shape: readonly number[], axis: number, fn: (slice: number[]) => number[]): Float64Array {
  const n = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out = new Float64Array(values.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const index = (k: number) => (o * n + k) * inner + i;
      const result = fn(Array.from({ length: n }, (_, k) => values[index(k)]));
      result.forEach((v, k) => { out[index(k)] = v; });
    }
  }
  return out;
}

const softmaxReference = (row: number[]) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

const randomValues = (g: Generator, n: number, scale = 3) => Array.from({ length: n }, () => scale * g.normal());

describe('softmax', () => {
  it('matches a float64 reference on random shapes and axes (f32 and f64)', () => {
    const g = new Generator(1);
    const shapes = [[5], [3, 4], [2, 3, 4], [2, 0, 3], [0, 4], [1, 1, 7]];
    for (const shape of shapes) {
      for (let axis = -shape.length; axis < shape.length; axis++) {
        const values = randomValues(g, shape.reduce((a, b) => a * b, 1));
        const normalized = axis < 0 ? axis + shape.length : axis;
        const ref = alongAxis(values, shape, normalized, softmaxReference);
        const x32 = fromArray(values, shape);
        const y32 = softmax(x32, axis);
        expect(y32.shape).toEqual(shape);
        expect(y32.dtype).toBe('f32');
        expectClose(y32.dataSync(), ref, { atol: 1e-6, rtol: 1e-5 }, `f32 ${shape} axis ${axis}`);
        const x64 = fromArray(values, shape, 'f64');
        expectClose(softmax(x64, axis).dataSync(), ref, { atol: 1e-15, rtol: 1e-13 }, `f64 ${shape} axis ${axis}`);
        x32.dispose();
        y32.dispose();
      }
    }
  });

  it('matches values computed by PyTorch', () => {
    // torch 1.13: torch.softmax(torch.tensor([[1., 2., 3.], [-1000., 0., 1000.]], dtype=torch.float64), -1)
    const y = softmax(tensor([[1, 2, 3], [-1000, 0, 1000]], undefined, 'f64'));
    expectClose(y.dataSync(), [0.09003057317038045, 0.2447284710547976, 0.6652409557748218, 0, 0, 1], { atol: 1e-16, rtol: 1e-15 });
  });

  it('rows sum to 1 and do not change under a constant shift', () => {
    const g = new Generator(2);
    const values = randomValues(g, 6 * 9, 10);
    const x = fromArray(values, [6, 9], 'f64');
    const y = softmax(x);
    expectClose(sum(y, -1).dataSync(), new Array(6).fill(1), { atol: 1e-14 });
    expectClose(softmax(add(x, 123.5)).dataSync(), y.dataSync(), { atol: 1e-14, rtol: 1e-12 });
    // large logits do not overflow
    expectClose(softmax(add(x, 1e4)).dataSync(), y.dataSync(), { atol: 1e-10, rtol: 1e-9 });
  });

  it('gives zeros for a row that is entirely −∞, with finite gradients', () => {
    const x = tensor([[-Infinity, -Infinity, -Infinity], [0, -Infinity, 0]]).requireGrad();
    const y = softmax(x);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 0.5, 0, 0.5]);
    y.backward(tensor([[1, 2, 3], [1, 2, 3]]));
    // row 2: y·(g − Σ y·g) = [0.5·(1 − 2), 0, 0.5·(3 − 2)]; row 1 has no probability mass
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 0, 0, -0.5, 0, 0.5]);
    x.dispose();
  });

  it('propagates NaN and treats a rank-0 tensor as a one-element vector', () => {
    expect(Number.isNaN(softmax(tensor([1, NaN, 2])).dataSync()[0])).toBe(true);
    const y = softmax(tensor(5));
    expect(y.shape).toEqual([]);
    expect(y.dataSync()[0]).toBe(1);
  });

  it('passes gradcheck', () => {
    const g = new Generator(3);
    for (const backend of [undefined, compositeKernelBackend()]) {
      gradcheck((x) => softmax(x, 1), [{ values: randomValues(g, 24, 1), shape: [2, 3, 4] }], { backend });
      gradcheck((x) => softmax(x, -1), [{ values: randomValues(g, 12, 1), shape: [3, 4] }], { backend });
    }
  });

  it('runs the decomposition when composed and frees every intermediate', () => {
    const x = fromArray(randomValues(new Generator(4), 12), [3, 4]);
    const before = memory().liveTensors;
    const y = withImpl('composed', () => softmax(x));
    expect(memory().liveTensors).toBe(before + 1);
    y.dispose();
    x.dispose();
  });

  it('rejects integer inputs and bad axes', () => {
    expect(() => softmax(tensor([1, 2], undefined, 'i32'))).toThrow(DTypeError);
    expect(() => softmax(tensor([1, 2], undefined, 'i32'))).toThrow(/softmax: argument 'x'/);
    expect(() => softmax(tensor([[1, 2]]), 2)).toThrow(ShapeError);
    expect(() => softmax(tensor(1), 1)).toThrow(/softmax: axis is out of range/);
  });
});
