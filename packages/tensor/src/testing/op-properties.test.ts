// Cross-op properties (fast-check, fixed seeds): identities that tie several ops together.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exp, fromArray, log, logSoftmax, softmax, sum } from '../index.js';
import { expectClose } from './index.js';

const shapes = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
const logits = (n: number) => fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: n, maxLength: n });
const withValues = shapes.chain((shape) => fc.tuple(fc.constant(shape), logits(shape.reduce((a, b) => a * b, 1)), fc.nat({ max: shape.length - 1 })));

describe('softmax properties', () => {
  it('rows are non-negative and sum to 1 along the axis, for any axis', () => {
    fc.assert(fc.property(withValues, ([shape, values, axis]) => {
      const y = softmax(fromArray(values, shape, 'f64'), axis);
      expect(Array.from(y.dataSync()).every((v) => v >= 0 && v <= 1)).toBe(true);
      const rows = sum(y, axis);
      expectClose(rows.dataSync(), new Array(rows.size).fill(1), { atol: 1e-12 });
    }), { seed: 17, numRuns: 100 });
  });

  it('exp(logSoftmax) = softmax and log(softmax) = logSoftmax where finite', () => {
    fc.assert(fc.property(withValues, ([shape, values, axis]) => {
      const x = fromArray(values, shape, 'f64');
      const p = softmax(x, axis);
      const lp = logSoftmax(x, axis);
      expectClose(exp(lp).dataSync(), p.dataSync(), { atol: 1e-12, rtol: 1e-10 });
      const lpFromP = Array.from(log(p).dataSync());
      const finite = lpFromP.map((v) => Number.isFinite(v));
      expectClose(lpFromP.filter((_, i) => finite[i]), Array.from(lp.dataSync()).filter((_, i) => finite[i]), { atol: 1e-9, rtol: 1e-9 });
    }), { seed: 19, numRuns: 100 });
  });
});
