import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, fromArray, maskedFill, memory, tensor, where, zeros } from '../../index.js';
import {
  broadcastPartner, elementwiseReference, expectClose, gradcheck, randomBools, randomGenerator, randomShape, randomValues,
} from '../../testing/index.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('where', () => {
  it('selects with three-way broadcasting on random shapes (incl. size-0 dims)', () => {
    const g = randomGenerator(301);
    for (let draw = 0; draw < 30; draw++) {
      const sc = randomShape(g);
      const sa = broadcastPartner(g, sc);
      const sb = broadcastPartner(g, sc);
      // all three must broadcast together: skip the rare draw where a and b do not
      let expected: ReturnType<typeof elementwiseReference>;
      const c = randomBools(g, size(sc));
      const a = randomValues(g, size(sa));
      const b = randomValues(g, size(sb));
      try {
        expected = elementwiseReference([c, a, b], [sc, sa, sb], (cv, av, bv) => (cv ? av : bv));
      } catch {
        expect(() => where(fromArray(c, sc, 'bool'), fromArray(a, sa), fromArray(b, sb))).toThrow(ShapeError);
        continue;
      }
      const y = where(fromArray(c, sc, 'bool'), fromArray(a, sa, 'f64'), fromArray(b, sb, 'f64'));
      expect(y.shape).toEqual(expected.shape);
      expect(Array.from(y.dataSync())).toEqual(Array.from(expected.values));
    }
  });

  it('takes numbers on either side in the tensor operand\'s dtype, and promotes two tensors', () => {
    const c = tensor([1, 0, 1], undefined, 'bool');
    const i = tensor([5, 6, 7], undefined, 'i32');
    expect(where(c, i, 0).dtype).toBe('i32');
    expect(Array.from(where(c, 0, i).dataSync())).toEqual([0, 6, 0]);
    expect(where(c, i, tensor([0.5, 0.5, 0.5])).dtype).toBe('f32');
    expect(Array.from(where(c, 2, -1).dataSync())).toEqual([2, -1, 2]);
    expect(where(c, 2, -1).dtype).toBe('f32');
  });

  it('passes gradcheck for both branches with broadcasting; the condition gets none', () => {
    const cond = { values: [1, 0, 0, 1, 1, 0], shape: [2, 3], dtype: 'bool' as const };
    gradcheck((c, a, b) => where(c, a, b), [cond, { values: [0.1, 0.2, 0.3], shape: [3] }, { values: [1, 2], shape: [2, 1] }]);
    const x = tensor([1, 2]).requireGrad();
    const y = where(tensor([1, 0], undefined, 'bool'), x, 0);
    y.backward(tensor([3, 4]));
    expect(Array.from(x.grad!.dataSync())).toEqual([3, 0]);
    x.dispose();
  });

  it('rejects a non-bool condition with a DTypeError', () => {
    expect(() => where(tensor([1, 0]), 1, 2)).toThrow(DTypeError);
    expect(() => where(tensor([1, 0]), 1, 2)).toThrow("where: argument 'cond' has an unsupported dtype; expected bool, got f32.");
  });

  it('throws a ShapeError when the operands do not broadcast', () => {
    expect(() => where(zeros([2], 'bool'), zeros([3]), 0)).toThrow('where: operands cannot be broadcast together');
  });

  it('frees the scalar tensors it creates', () => {
    const c = tensor([1, 0], undefined, 'bool');
    const before = memory().liveTensors;
    const y = where(c, 1, 2);
    expect(memory().liveTensors).toBe(before + 1);
    y.dispose();
  });
});

describe('maskedFill', () => {
  it('fills where the (broadcast) mask is true, keeping -Infinity exact', () => {
    const g = randomGenerator(302);
    const x = randomValues(g, 12);
    const mask = randomBools(g, 4);
    const y = maskedFill(fromArray(x, [3, 4]), fromArray(mask, [4], 'bool'), -Infinity);
    const expected = elementwiseReference([x, mask], [[3, 4], [4]], (v, m) => (m ? -Infinity : v));
    expectClose(y.dataSync(), expected.values, { atol: 1e-7 });
    expect(y.shape).toEqual([3, 4]);
  });

  it('passes gradcheck (zero gradient where filled)', () => {
    gradcheck((x, m) => maskedFill(x, m, 5), [{ values: [0.1, -0.2, 0.3, 0.4], shape: [2, 2] }, { values: [0, 1], shape: [2], dtype: 'bool' }]);
  });
});
