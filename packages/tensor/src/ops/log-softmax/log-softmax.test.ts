import { describe, expect, it } from 'vitest';
import { DTypeError, Generator, ShapeError, add, exp, fromArray, logSoftmax, memory, softmax, sum, tensor, withImpl } from '../../index.js';
import { expectClose, gradcheck } from '../../testing/index.js';

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

const logSoftmaxReference = (row: number[]) => {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
};

const randomValues = (g: Generator, n: number, scale = 3) => Array.from({ length: n }, () => scale * g.normal());

describe('logSoftmax', () => {
  it('matches a float64 reference on random shapes and axes (f32 and f64)', () => {
    const g = new Generator(11);
    for (const shape of [[6], [4, 5], [2, 3, 4], [3, 0], [0, 2, 2]]) {
      for (let axis = -shape.length; axis < shape.length; axis++) {
        const values = randomValues(g, shape.reduce((a, b) => a * b, 1));
        const ref = alongAxis(values, shape, axis < 0 ? axis + shape.length : axis, logSoftmaxReference);
        const y32 = logSoftmax(fromArray(values, shape), axis);
        expect(y32.shape).toEqual(shape);
        expectClose(y32.dataSync(), ref, { atol: 1e-5, rtol: 1e-5 }, `f32 ${shape} axis ${axis}`);
        expectClose(logSoftmax(fromArray(values, shape, 'f64'), axis).dataSync(), ref, { atol: 1e-14, rtol: 1e-13 }, `f64 ${shape} axis ${axis}`);
      }
    }
  });

  it('matches values computed by PyTorch, including far tails', () => {
    // torch 1.13: torch.log_softmax(torch.tensor([[1., 2., 3.], [0., -200., 200.]], dtype=torch.float64), -1)
    const y = logSoftmax(tensor([[1, 2, 3], [0, -200, 200]], undefined, 'f64'));
    expectClose(y.dataSync(), [-2.4076059644443806, -1.4076059644443804, -0.4076059644443804, -200, -400, 0], { atol: 1e-14, rtol: 1e-14 });
    // in f32, where log(softmax(x)) would give −∞ for the tails
    expectClose(logSoftmax(tensor([0, -200, 200])).dataSync(), [-200, -400, 0], { atol: 1e-4 });
  });

  it('is consistent with softmax and invariant under a shift', () => {
    const x = fromArray(randomValues(new Generator(12), 5 * 7), [5, 7], 'f64');
    const y = logSoftmax(x);
    expectClose(exp(y).dataSync(), softmax(x).dataSync(), { atol: 1e-15, rtol: 1e-13 });
    expectClose(sum(exp(y), -1).dataSync(), new Array(5).fill(1), { atol: 1e-14 });
    expectClose(logSoftmax(add(x, -55.25)).dataSync(), y.dataSync(), { atol: 1e-13, rtol: 1e-13 });
  });

  it('gives −∞ for a row that is entirely −∞, with finite gradients', () => {
    const x = tensor([[-Infinity, -Infinity], [0, -Infinity]]).requireGrad();
    const y = logSoftmax(x);
    expect(Array.from(y.dataSync())).toEqual([-Infinity, -Infinity, 0, -Infinity]);
    y.backward(tensor([[1, 2], [1, 2]]));
    // g − softmax · Σg: row 1 has no mass (g passes through), row 2 is [1 − 1·3, 2 − 0]
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 2, -2, 2]);
    x.dispose();
  });

  it('treats a rank-0 tensor as a one-element vector', () => {
    const y = logSoftmax(tensor(3), -1);
    expect(y.shape).toEqual([]);
    expect(y.dataSync()[0]).toBe(0);
  });

  it('passes gradcheck', () => {
    const g = new Generator(13);
    gradcheck((x) => logSoftmax(x, 0), [{ values: randomValues(g, 12, 1), shape: [3, 4] }]);
    gradcheck((x) => logSoftmax(x), [{ values: randomValues(g, 24, 2), shape: [2, 3, 4] }]);
  });

  it('frees every intermediate', () => {
    const x = fromArray(randomValues(new Generator(14), 12), [3, 4]);
    const before = memory().liveTensors;
    const y = withImpl('composed', () => logSoftmax(x));
    expect(memory().liveTensors).toBe(before + 1);
    y.dispose();
    x.dispose();
  });

  it('rejects integer inputs and bad axes', () => {
    expect(() => logSoftmax(tensor([1, 2], undefined, 'i32'))).toThrow(DTypeError);
    expect(() => logSoftmax(tensor([[1, 2]]), -3)).toThrow(ShapeError);
    expect(() => logSoftmax(tensor([[1, 2]]), 1.5)).toThrow(/logSoftmax: axis is out of range/);
  });
});
