import { describe, expect, it } from 'vitest';
import {
  DTypeError, abs, ceil, cos, erf, exp, floor, fromArray, log, logicalNot, memory, neg, reciprocal, relu, round, rsqrt,
  sigmoid, sign, sin, sqrt, square, tanh, tensor, transpose, type DType, type Tensor,
} from '../../index.js';
import { expectClose, gradcheck, randomGenerator, randomShape, randomValues, type ValueOptions } from '../../testing/index.js';

/** erf by composite Simpson integration of 2/√π·e^(−t²) (independent of the kernel's series). */
function erfBySimpson(x: number): number {
  const n = 4000;
  const h = x / n;
  let acc = 0;
  for (let i = 0; i <= n; i++) {
    const t = i * h;
    acc += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-t * t);
  }
  return (2 / Math.sqrt(Math.PI)) * (h / 3) * acc;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return d < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}

interface UnarySpec {
  fn: (x: Tensor) => Tensor;
  ref: (x: number) => number;
  values: ValueOptions;
  /** Tolerance of the f64 result against the float64 reference. */
  f64?: { atol: number; rtol: number };
}

const specs: Record<string, UnarySpec> = {
  neg: { fn: neg, ref: (x) => -x, values: {} },
  abs: { fn: abs, ref: (x) => (x < 0 ? -x : x), values: { avoid: [0] } },
  exp: { fn: exp, ref: Math.exp, values: { low: -4, high: 4 } },
  log: { fn: log, ref: Math.log, values: { low: 0.05, high: 5 } },
  sqrt: { fn: sqrt, ref: Math.sqrt, values: { low: 0.05, high: 5 } },
  rsqrt: { fn: rsqrt, ref: (x) => 1 / Math.sqrt(x), values: { low: 0.05, high: 5 } },
  tanh: { fn: tanh, ref: (x) => (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1), values: { low: -3, high: 3 } },
  erf: { fn: erf, ref: erfBySimpson, values: { low: -4.5, high: 4.5 }, f64: { atol: 1e-11, rtol: 0 } },
  sin: { fn: sin, ref: Math.sin, values: { low: -5, high: 5 } },
  cos: { fn: cos, ref: Math.cos, values: { low: -5, high: 5 } },
  relu: { fn: relu, ref: (x) => (x > 0 ? x : 0), values: { avoid: [0] } },
  sigmoid: { fn: sigmoid, ref: (x) => 1 / (1 + Math.exp(-x)), values: { low: -8, high: 8 } },
  sign: { fn: sign, ref: (x) => (x > 0 ? 1 : -1), values: { avoid: [0] } },
  floor: { fn: floor, ref: (x) => x - (((x % 1) + 1) % 1), values: { low: -4, high: 4, avoid: [-3, -2, -1, 0, 1, 2, 3] } },
  ceil: { fn: ceil, ref: (x) => -Math.floor(-x), values: { low: -4, high: 4, avoid: [-3, -2, -1, 0, 1, 2, 3] } },
  round: { fn: round, ref: roundHalfEven, values: { low: -4, high: 4, avoid: [-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5] } },
  reciprocal: { fn: reciprocal, ref: (x) => 1 / x, values: { low: -3, high: 3, avoid: [0], margin: 0.2 } },
  square: { fn: square, ref: (x) => x * x, values: { low: -3, high: 3 } },
};

describe('unary ops', () => {
  it('match float64 references on random shapes (f32 and f64, incl. size-0 dims)', () => {
    const g = randomGenerator(101);
    for (const [name, spec] of Object.entries(specs)) {
      for (let draw = 0; draw < 6; draw++) {
        const shape = randomShape(g);
        const values = Float32Array.from(randomValues(g, shape.reduce((a, b) => a * b, 1), spec.values));
        const ref = Array.from(values, spec.ref);
        const y32 = spec.fn(fromArray(values, shape));
        expect(y32.shape).toEqual(shape);
        expect(y32.dtype).toBe('f32');
        expectClose(y32.dataSync(), ref, { atol: 1e-6, rtol: 1e-5 }, `${name} f32 ${shape}`);
        const y64 = spec.fn(fromArray(values, shape, 'f64'));
        expect(y64.dtype).toBe('f64');
        expectClose(y64.dataSync(), ref, spec.f64 ?? { atol: 1e-15, rtol: 1e-13 }, `${name} f64 ${shape}`);
      }
    }
  });

  it('give the same result on strided (transposed) inputs as on contiguous ones', () => {
    const g = randomGenerator(102);
    for (const [name, spec] of Object.entries(specs)) {
      const values = randomValues(g, 12, spec.values);
      const x = fromArray(values, [3, 4]);
      const viaView = spec.fn(transpose(x)).dataSync();
      const viaCopy = spec.fn(fromArray(Array.from({ length: 12 }, (_, i) => values[(i % 3) * 4 + Math.floor(i / 3)]), [4, 3])).dataSync();
      expect(Array.from(viaView), name).toEqual(Array.from(viaCopy));
    }
  });

  it('pass gradcheck where differentiable', () => {
    const g = randomGenerator(103);
    for (const [name, spec] of Object.entries(specs)) {
      const values = randomValues(g, 6, spec.values);
      expect(() => gradcheck(spec.fn, [{ values, shape: [2, 3] }]), name).not.toThrow();
    }
  });

  it('handle special values as PyTorch does', () => {
    // round half to even, signs and zeros
    expect(Array.from(round(tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 2.4999])).dataSync())).toEqual([-2, -2, -0, 0, 2, 2, 4, 2]);
    expect(Array.from(sign(tensor([-3, 0, 2])).dataSync())).toEqual([-1, 0, 1]);
    expect(Array.from(relu(tensor([-1, 0, 2])).dataSync())).toEqual([0, 0, 2]);
    expect(Number.isNaN(relu(tensor([NaN])).dataSync()[0])).toBe(true);
    expect(Array.from(exp(tensor([-Infinity, Infinity])).dataSync())).toEqual([0, Infinity]);
    expect(Array.from(log(tensor([0, -1])).dataSync())).toEqual([-Infinity, NaN]);
    expect(Array.from(sigmoid(tensor([-1000, 1000], undefined, 'f64')).dataSync())).toEqual([0, 1]);
    expect(Array.from(reciprocal(tensor([0])).dataSync())).toEqual([Infinity]);
    // erf against published values, both branches of the kernel (the erfc fit is within 1.2e-7 relative)
    expectClose(erf(tensor([0.5, 1, 2, -3, 3.5, 4], undefined, 'f64')).dataSync(),
      [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9999779095030014, 0.9999992569016276, 0.9999999845827421], { atol: 3e-12, rtol: 0 });
  });

  it('keep integer dtypes where defined and give bool for logicalNot', () => {
    const i = tensor([-3, 0, 4], undefined, 'i32');
    for (const fn of [neg, abs, sign, relu, square, floor, ceil, round]) expect(fn(i).dtype).toBe('i32');
    expect(Array.from(neg(i).dataSync())).toEqual([3, 0, -4]);
    expect(Array.from(abs(i).dataSync())).toEqual([3, 0, 4]);
    expect(Array.from(square(i).dataSync())).toEqual([9, 0, 16]);
    for (const dtype of ['f32', 'i32', 'bool'] as DType[]) {
      const y = logicalNot(tensor([0, 1, 0], undefined, dtype));
      expect(y.dtype).toBe('bool');
      expect(Array.from(y.dataSync())).toEqual([1, 0, 1]);
    }
    expect(Array.from(logicalNot(tensor([-2.5, NaN, 0])).dataSync())).toEqual([0, 0, 1]);
  });

  it('reject unsupported dtypes with a DTypeError naming the op and argument', () => {
    const i = tensor([1, 2], undefined, 'i32');
    for (const fn of [exp, log, sqrt, rsqrt, tanh, erf, sin, cos, sigmoid, reciprocal]) {
      expect(() => fn(i)).toThrow(DTypeError);
    }
    expect(() => exp(i)).toThrow("exp: argument 'x' has an unsupported dtype; expected a float tensor (f32 | f64 | f16), got i32.");
    const b = tensor([1, 0], undefined, 'bool');
    expect(() => neg(b)).toThrow(DTypeError);
    expect(() => neg(b)).toThrow('expected f32 | f64 | f16 | i32, got bool');
  });

  it('record no gradient for logicalNot and zero gradients for step functions', () => {
    const x = tensor([-1.5, 0.3, 2.7]).requireGrad();
    expect(logicalNot(x).requiresGrad).toBe(false);
    const y = floor(x);
    y.backward(tensor([1, 1, 1]));
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 0, 0]);
    x.dispose();
  });

  it('are deterministic and leak nothing', () => {
    const g = randomGenerator(104);
    const x = fromArray(randomValues(g, 64, { low: -3, high: 3 }), [8, 8]);
    const before = memory().liveTensors;
    for (const spec of Object.values(specs)) {
      const a = spec.fn(x);
      const b = spec.fn(x);
      expect(Buffer.from(a.dataSync().buffer).equals(Buffer.from(b.dataSync().buffer))).toBe(true);
      a.dispose();
      b.dispose();
    }
    expect(memory().liveTensors).toBe(before);
  });
});
