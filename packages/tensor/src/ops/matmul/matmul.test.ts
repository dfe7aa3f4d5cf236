import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, add, fromArray, matmul, memory, mul, tensor, transpose, zeros } from '../../index.js';
import {
  broadcastPartner, expectClose, gradcheck, matmulReference, permuteReference, randomGenerator, uniformInt, randomShape,
  randomValues,
} from '../../testing/index.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
/** Swaps the last two axes of row-major values (the layout of a transposed operand). */
const swapLast = (values: ArrayLike<number>, shape: readonly number[]) =>
  permuteReference(values, shape, shape.map((_, i) => (i === shape.length - 2 ? i + 1 : i === shape.length - 1 ? i - 1 : i)));

describe('matmul', () => {
  it('matches a float64 reference on random batched shapes (broadcast batches, transposes, size-0 dims)', () => {
    const g = randomGenerator(1001);
    for (let draw = 0; draw < 40; draw++) {
      const batchA = randomShape(g, { maxRank: 2, maxDim: 3 });
      const batchB = broadcastPartner(g, batchA, 2);
      const [m, k, n] = [uniformInt(g, 0, 5), uniformInt(g, 0, 5), uniformInt(g, 0, 5)];
      const transposeA = g.uniform() < 0.5;
      const transposeB = g.uniform() < 0.5;
      const aShape = [...batchA, m, k];
      const bShape = [...batchB, k, n];
      const a = Float32Array.from(randomValues(g, size(aShape)));
      const b = Float32Array.from(randomValues(g, size(bShape)));
      const expected = matmulReference(a, aShape, b, bShape);
      // the stored operands are in the transposed layout when the flag says so
      const aStored = transposeA ? fromArray(swapLast(a, aShape), [...batchA, k, m]) : fromArray(a, aShape);
      const bStored = transposeB ? fromArray(swapLast(b, bShape), [...batchB, n, k]) : fromArray(b, bShape);
      const y = matmul(aStored, bStored, { transposeA, transposeB });
      const label = `${aShape}·${bShape} tA=${transposeA} tB=${transposeB}`;
      expect(y.shape, label).toEqual(expected.shape);
      expectClose(y.dataSync(), expected.values, { atol: 1e-5, rtol: 1e-5 }, label);
      const y64 = matmul(fromArray(a, aShape, 'f64'), fromArray(b, bShape, 'f64'));
      expectClose(y64.dataSync(), expected.values, { atol: 1e-14, rtol: 1e-13 }, `${label} f64`);
    }
  });

  it('follows NumPy for 1-D operands', () => {
    const v = tensor([1, 2, 3]);
    const m = fromArray([1, 2, 3, 4, 5, 6], [3, 2]);
    const vm = matmul(v, m);
    expect(vm.shape).toEqual([2]);
    expect(Array.from(vm.dataSync())).toEqual([22, 28]);
    const mv = matmul(transpose(m), v);
    expect(mv.shape).toEqual([2]);
    expect(Array.from(mv.dataSync())).toEqual([22, 28]);
    const vv = matmul(v, v);
    expect(vv.shape).toEqual([]);
    expect(vv.dataSync()[0]).toBe(14);
    const batched = matmul(fromArray(Array.from({ length: 12 }, (_, i) => i), [2, 2, 3]), v);
    expect(batched.shape).toEqual([2, 2]);
    expect(Array.from(batched.dataSync())).toEqual([8, 26, 44, 62]);
    expect(matmul(v, m, { transposeA: true }).shape).toEqual([2]);
  });

  it('gives zeros for an empty inner dimension, and the same result for strided views as for flags', () => {
    expect(Array.from(matmul(zeros([2, 0]), zeros([0, 3])).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    const g = randomGenerator(1002);
    const a = fromArray(randomValues(g, 12), [4, 3]);
    const b = fromArray(randomValues(g, 15), [5, 3]);
    expect(Array.from(matmul(a, transpose(b)).dataSync())).toEqual(Array.from(matmul(a, b, { transposeB: true }).dataSync()));
  });

  it('passes gradcheck with transposes, broadcast batches and 1-D operands', () => {
    const g = randomGenerator(1003);
    const cases: [number[], number[], { transposeA?: boolean; transposeB?: boolean }][] = [
      [[2, 3], [3, 4], {}],
      [[3, 2], [3, 4], { transposeA: true }],
      [[2, 3], [4, 3], { transposeB: true }],
      [[2, 1, 3, 2], [3, 4, 3], { transposeA: true, transposeB: true }],
      [[3], [2, 3, 2], {}],
      [[2, 2, 3], [3], {}],
    ];
    for (const [sa, sb, options] of cases) {
      const inputs = [{ values: randomValues(g, size(sa)), shape: sa }, { values: randomValues(g, size(sb)), shape: sb }];
      expect(() => gradcheck((a, b) => matmul(a, b, options), inputs), `${sa} ${sb} ${JSON.stringify(options)}`).not.toThrow();
    }
  });

  it('is linear in each argument (property)', () => {
    const dim = fc.integer({ min: 1, max: 4 });
    fc.assert(fc.property(dim, dim, dim, fc.double({ min: -3, max: 3, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (m, k, n, alpha, seed) => {
      const g = randomGenerator(seed);
      const a1 = fromArray(randomValues(g, m * k), [m, k], 'f64');
      const a2 = fromArray(randomValues(g, m * k), [m, k], 'f64');
      const b = fromArray(randomValues(g, k * n), [k, n], 'f64');
      const left = matmul(add(mul(a1, alpha), a2), b);
      const right = add(mul(matmul(a1, b), alpha), matmul(a2, b));
      expectClose(left.dataSync(), right.dataSync(), { atol: 1e-12, rtol: 1e-12 });
      const bl = matmul(b, a1, { transposeA: true, transposeB: true });
      const br = transpose(matmul(a1, b));
      expectClose(bl.dataSync(), br.dataSync(), { atol: 1e-12, rtol: 1e-12 });
    }), { seed: 5, numRuns: 100 });
  });

  it('throws typed errors for mismatched inner dims, rank 0, batches and dtypes', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(ShapeError);
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow("matmul: inner dimensions must match; expected a's shape[-1] == b's shape[-2], got a (2,3) and b (4,5).");
    expect(() => matmul(zeros([3, 2]), zeros([4, 5]), { transposeA: true })).toThrow("expected a's shape[-2] == b's shape[-2]");
    expect(() => matmul(tensor(1), zeros([2]))).toThrow('matmul: operands must have at least one dimension');
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 4]))).toThrow('matmul: operands cannot be broadcast together');
    expect(() => matmul(zeros([2, 2]), zeros([2, 2], 'f64'))).toThrow(DTypeError);
    expect(() => matmul(zeros([2, 2], 'i32'), zeros([2, 2], 'i32'))).toThrow("matmul: argument 'a' has an unsupported dtype; expected f32 | f64 | f16, got i32.");
  });

  it('frees the intermediates of the 1-D path and is deterministic', () => {
    const g = randomGenerator(1004);
    const v = fromArray(randomValues(g, 16), [16]);
    const m = fromArray(randomValues(g, 16 * 8), [16, 8]);
    const before = memory().liveTensors;
    const y1 = matmul(v, m);
    expect(memory().liveTensors).toBe(before + 1);
    const y2 = matmul(v, m);
    expect(Buffer.from(y1.dataSync().buffer).equals(Buffer.from(y2.dataSync().buffer))).toBe(true);
  });
});
