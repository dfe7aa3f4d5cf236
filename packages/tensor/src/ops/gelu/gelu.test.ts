import { describe, expect, it } from 'vitest';
import { ConfigError, DTypeError, Generator, fromArray, gelu, memory, tensor, withImpl } from '../../index.js';
import { erfScalar } from '../unary/erf.js';
import { compositeKernelBackend, expectClose, gradcheck } from '../../testing/index.js';

const exact = (x: number) => 0.5 * x * (1 + erfScalar(x / Math.SQRT2));
const tanhForm = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

describe('gelu', () => {
  it('matches float64 references of both forms on random shapes', () => {
    const g = new Generator(21);
    for (const shape of [[7], [3, 5], [2, 0, 4], [2, 3, 4]]) {
      const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 3 * g.normal());
      const y = gelu(fromArray(values, shape));
      expect(y.shape).toEqual(shape);
      expectClose(y.dataSync(), values.map(exact), { atol: 1e-6, rtol: 1e-5 }, `exact ${shape}`);
      expectClose(gelu(fromArray(values, shape, 'f64'), { approximate: 'tanh' }).dataSync(), values.map(tanhForm), { atol: 1e-15, rtol: 1e-13 }, `tanh ${shape}`);
    }
  });

  it('matches values computed by PyTorch', () => {
    // torch 1.13: F.gelu(x) and F.gelu(x, approximate='tanh') for float64 x below
    const x = tensor([-3, -1, -0.5, 0, 0.5, 1, 3], undefined, 'f64');
    expectClose(gelu(x).dataSync(), [-0.00404969409489031, -0.15865525393145702, -0.15426876936299344, 0, 0.34573123063700656, 0.841344746068543, 2.99595030590511], { atol: 1e-12, rtol: 1e-12 });
    expectClose(gelu(x, { approximate: 'tanh' }).dataSync(), [-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0, 0.34571400982514394, 0.8411919906082768, 2.996362607918227], { atol: 1e-15, rtol: 1e-14 });
  });

  it('passes gradcheck (both forms)', () => {
    const g = new Generator(22);
    const values = Array.from({ length: 12 }, () => 2 * g.normal());
    for (const backend of [undefined, compositeKernelBackend()]) {
      gradcheck((x) => gelu(x), [{ values, shape: [3, 4] }], { backend });
      gradcheck((x) => gelu(x, { approximate: 'tanh' }), [{ values, shape: [3, 4] }], { backend });
    }
  });

  it('frees every intermediate', () => {
    const x = tensor([1, 2, 3]);
    const before = memory().liveTensors;
    const y = withImpl('composed', () => gelu(x, { approximate: 'tanh' }));
    expect(memory().liveTensors).toBe(before + 1);
    y.dispose();
    x.dispose();
  });

  it('validates its arguments', () => {
    expect(() => gelu(tensor([1], undefined, 'i32'))).toThrow(DTypeError);
    expect(() => gelu(tensor([1]), { approximate: 'sigmoid' as 'tanh' })).toThrow(ConfigError);
    expect(() => gelu(tensor([1]), { approximate: 'sigmoid' as 'tanh' })).toThrow(/gelu: 'approximate' is invalid; expected 'none' \| 'tanh', got sigmoid/);
  });
});
