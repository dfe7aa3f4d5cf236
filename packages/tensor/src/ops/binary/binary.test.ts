import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BackendError, ShapeError, add, createCpuBackend, div, eq, fromArray, ge, gt, le, logicalAnd, logicalOr, lt, maximum,
  memory, minimum, mul, ne, pow, sub, sum, tensor, zeros, type Tensor, type TensorLike,
} from '../../index.js';
import {
  broadcastPartner, elementwiseReference, expectClose, gradcheck, numpyBroadcast, randomGenerator, randomIntegers,
  randomShape, randomValues, type ValueOptions,
} from '../../testing/index.js';

type Binary = (a: TensorLike, b: TensorLike) => Tensor;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const arithmetic: Record<string, { fn: Binary; ref: (a: number, b: number) => number; a?: ValueOptions; b?: ValueOptions }> = {
  add: { fn: add, ref: (a, b) => a + b },
  sub: { fn: sub, ref: (a, b) => a - b },
  mul: { fn: mul, ref: (a, b) => a * b },
  div: { fn: div, ref: (a, b) => a / b, b: { avoid: [0], margin: 0.2 } },
  pow: { fn: pow, ref: (a, b) => Math.exp(b * Math.log(a)), a: { low: 0.1, high: 3 }, b: { low: -2, high: 2 } },
  maximum: { fn: maximum, ref: (a, b) => (a > b ? a : b) },
  minimum: { fn: minimum, ref: (a, b) => (a < b ? a : b) },
};

const comparisons: Record<string, { fn: Binary; ref: (a: number, b: number) => boolean }> = {
  eq: { fn: eq, ref: (a, b) => a === b },
  ne: { fn: ne, ref: (a, b) => a !== b },
  lt: { fn: lt, ref: (a, b) => a < b },
  le: { fn: le, ref: (a, b) => a <= b },
  gt: { fn: gt, ref: (a, b) => a > b },
  ge: { fn: ge, ref: (a, b) => a >= b },
  logicalAnd: { fn: logicalAnd, ref: (a, b) => a !== 0 && b !== 0 },
  logicalOr: { fn: logicalOr, ref: (a, b) => a !== 0 || b !== 0 },
};

/** Random shape pairs that broadcast, in both orders. */
function* broadcastPairs(seed: number, count: number): Generator<[number[], number[]]> {
  const g = randomGenerator(seed);
  for (let i = 0; i < count; i++) {
    const a = randomShape(g);
    const b = broadcastPartner(g, a);
    yield i % 2 ? [a, b] : [b, a];
  }
}

describe('binary arithmetic', () => {
  it('matches float64 references with broadcasting on random shapes (f32 and f64)', () => {
    const g = randomGenerator(201);
    for (const [name, { fn, ref, a: va = {}, b: vb = {} }] of Object.entries(arithmetic)) {
      for (const [sa, sb] of broadcastPairs(202 + name.length, 8)) {
        const a = Float32Array.from(randomValues(g, size(sa), va));
        const b = Float32Array.from(randomValues(g, size(sb), vb));
        const expected = elementwiseReference([a, b], [sa, sb], ref);
        const y = fn(fromArray(a, sa), fromArray(b, sb));
        expect(y.shape, `${name} ${sa} ${sb}`).toEqual(expected.shape);
        expect(y.dtype).toBe('f32');
        expectClose(y.dataSync(), expected.values, { atol: 1e-6, rtol: 1e-5 }, `${name} f32 ${sa} ${sb}`);
        const y64 = fn(fromArray(a, sa, 'f64'), fromArray(b, sb, 'f64'));
        expectClose(y64.dataSync(), expected.values, { atol: 1e-15, rtol: 1e-13 }, `${name} f64 ${sa} ${sb}`);
      }
    }
  });

  it('passes gradcheck with broadcasting on both sides', () => {
    const g = randomGenerator(203);
    const shapes: [number[], number[]][] = [[[2, 3], [3]], [[2, 1], [1, 3]], [[4], []], [[2, 2, 1], [2, 1, 3]]];
    for (const [name, { fn, a: va = {}, b: vb = {} }] of Object.entries(arithmetic)) {
      for (const [sa, sb] of shapes) {
        const a = { values: randomValues(g, size(sa), va), shape: sa };
        const b = { values: randomValues(g, size(sb), vb), shape: sb };
        expect(() => gradcheck((x, y) => fn(x, y), [a, b]), `${name} ${sa} ${sb}`).not.toThrow();
      }
    }
    // with a number operand on either side
    gradcheck((x) => sub(2, mul(x, 3)), [{ values: [0.5, -1], shape: [2] }]);
    gradcheck((x) => pow(x, 2.5), [{ values: [0.5, 1.5], shape: [2] }]);
  });

  it('splits the gradient of maximum/minimum evenly at ties and keeps pow finite at a ≤ 0', () => {
    const a = tensor([1, 2, 3]).requireGrad();
    const b = tensor([1, 5, 0]).requireGrad();
    maximum(a, b).backward(tensor([1, 1, 1]));
    expect(Array.from(a.grad!.dataSync())).toEqual([0.5, 0, 1]);
    expect(Array.from(b.grad!.dataSync())).toEqual([0.5, 1, 0]);
    const base = tensor([0, -2]).requireGrad();
    const exponent = tensor([2, 3]).requireGrad();
    pow(base, exponent).backward(tensor([1, 1]));
    expect(Array.from(base.grad!.dataSync())).toEqual([0, 12]);
    expect(Array.from(exponent.grad!.dataSync())).toEqual([0, 0]);
    for (const t of [a, b, base, exponent]) t.dispose();
  });

  it('propagates NaN through maximum and minimum', () => {
    expect(Array.from(maximum(tensor([NaN, 1]), tensor([0, NaN])).dataSync())).toEqual([NaN, NaN]);
    expect(Array.from(minimum(tensor([NaN, 1]), 0).dataSync())).toEqual([NaN, 0]);
  });
});

describe('binary comparisons and logic', () => {
  it('match references with broadcasting and give bool (ties and NaN included)', () => {
    const g = randomGenerator(204);
    for (const [name, { fn, ref }] of Object.entries(comparisons)) {
      for (const [sa, sb] of broadcastPairs(205, 6)) {
        const a = randomIntegers(g, size(sa), -2, 2);
        const b = randomIntegers(g, size(sb), -2, 2);
        const expected = elementwiseReference([a, b], [sa, sb], (x, y) => (ref(x, y) ? 1 : 0));
        const y = fn(fromArray(a, sa), fromArray(b, sb, 'i32'));
        expect(y.dtype).toBe('bool');
        expect(y.shape).toEqual(expected.shape);
        expect(Array.from(y.dataSync()), `${name} ${sa} ${sb}`).toEqual(Array.from(expected.values));
      }
      const nan = fn(tensor([NaN, NaN]), tensor([NaN, 1]));
      expect(Array.from(nan.dataSync()), `${name} NaN`).toEqual([NaN, NaN].map((_, i) => (ref(NaN, [NaN, 1][i]) ? 1 : 0)));
    }
  });

  it('records no gradient', () => {
    const x = tensor([1, 2]).requireGrad();
    expect(gt(x, 1).requiresGrad).toBe(false);
    expect(gt(x, 1).gradNode).toBeNull();
    x.dispose();
  });
});

describe('binary dtypes', () => {
  it('promote tensors and treat numbers as weak scalars (PyTorch)', () => {
    const i = tensor([1, 2], undefined, 'i32');
    const f = tensor([0.5, 0.5]);
    const d = tensor([1, 1], undefined, 'f64');
    const b = tensor([1, 0], undefined, 'bool');
    expect(add(i, f).dtype).toBe('f32');
    expect(add(f, d).dtype).toBe('f64');
    expect(add(i, 1).dtype).toBe('i32');
    expect(Array.from(add(i, 1.5).dataSync())).toEqual([2.5, 3.5]);
    expect(add(i, 1.5).dtype).toBe('f32');
    expect(mul(3, d).dtype).toBe('f64');
    expect(add(b, 1).dtype).toBe('i32');
    expect(Array.from(add(b, 1).dataSync())).toEqual([2, 1]);
    expect(add(2, 3).dtype).toBe('f32');
  });

  it('divides integers and bools truly', () => {
    const y = div(tensor([1, 3, -7], undefined, 'i32'), tensor([2, 2, 2], undefined, 'i32'));
    expect(y.dtype).toBe('f32');
    expect(Array.from(y.dataSync())).toEqual([0.5, 1.5, -3.5]);
    expect(div(tensor([1], undefined, 'i32'), tensor([4], undefined, 'f64')).dtype).toBe('f64');
    const b = tensor([1, 1, 0], undefined, 'bool');
    const q = div(b, tensor([1, 0, 0], undefined, 'bool'));
    expect(q.dtype).toBe('f32');
    expect(Array.from(q.dataSync())).toEqual([1, Infinity, NaN]);
  });

  it('keeps arithmetic on two bools a 0/1 bool (add = or, mul = and)', () => {
    const a = tensor([1, 1, 0, 0], undefined, 'bool');
    const b = tensor([1, 0, 1, 0], undefined, 'bool');
    expect(add(a, b).dtype).toBe('bool');
    expect(Array.from(add(a, b).dataSync())).toEqual([1, 1, 1, 0]);
    expect(Array.from(mul(a, b).dataSync())).toEqual([1, 0, 0, 0]);
    expect(Array.from(sum(add(a, b)).dataSync())).toEqual([3]);
  });

  it('wraps i32 arithmetic like int32', () => {
    expect(Array.from(add(tensor([2147483647], undefined, 'i32'), 1).dataSync())).toEqual([-2147483648]);
  });
});

describe('binary errors and properties', () => {
  it('throws a ShapeError naming the op and both shapes when shapes do not broadcast', () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(ShapeError);
    expect(() => mul(zeros([2, 3]), zeros([4]))).toThrow('mul: operands cannot be broadcast together; expected each dimension equal or 1 (right-aligned), got (2,3) and (4,).');
  });

  it('throws a BackendError when operands live on different backends', () => {
    const other = createCpuBackend({ name: 'other' });
    const x = tensor([1, 2]);
    const y = tensor([1, 2], undefined, 'f32', other);
    expect(() => add(x, y)).toThrow(BackendError);
    expect(() => add(x, y)).toThrow("add: input 1 lives on backend 'other'");
    // a number operand is created on its partner's backend
    expect(add(y, 1).backend).toBe(other);
  });

  const dims = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 });

  it('gives the NumPy broadcast shape, and throws ShapeError exactly when NumPy would', () => {
    fc.assert(fc.property(dims, dims, (sa, sb) => {
      const expected = numpyBroadcast(sa, sb);
      const a = zeros(sa);
      const b = zeros(sb);
      try {
        if (expected === null) {
          expect(() => add(a, b)).toThrow(ShapeError);
          expect(() => gt(b, a)).toThrow(ShapeError);
        } else {
          expect(add(a, b).shape).toEqual(expected);
          expect(gt(b, a).shape).toEqual(expected);
        }
      } finally {
        a.dispose();
        b.dispose();
      }
    }), { seed: 42, numRuns: 100 });
  });

  it('frees the scalar operands it creates and is deterministic', () => {
    const g = randomGenerator(206);
    const x = fromArray(randomValues(g, 32), [4, 8]);
    const before = memory().liveTensors;
    const y1 = pow(x, 0.5);
    expect(memory().liveTensors).toBe(before + 1);
    const y2 = add(1.5, x);
    expect(memory().liveTensors).toBe(before + 2);
    y1.dispose();
    y2.dispose();
    const again = [pow(add(mul(x, 1.5), 3), 0.5), pow(add(mul(x, 1.5), 3), 0.5)].map((t) => Buffer.from(t.dataSync().buffer));
    expect(again[0].equals(again[1])).toBe(true);
  });
});
