import { describe, expect, it } from 'vitest';
import { ShapeError, fromArray, pad, tensor, transpose, zeros } from '../../index.js';
import { gradcheck, randomGenerator, uniformInt, randomShape, randomValues, ravel, unravel } from '../../testing/index.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Constant padding of row-major values: `value` outside the copied box. */
function padReference(values: ArrayLike<number>, shape: readonly number[], pads: readonly (readonly [number, number])[], value: number): { shape: number[]; values: number[] } {
  const outShape = shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const out = Array.from({ length: size(outShape) }, (_, i) => {
    const index = unravel(i, outShape).map((v, k) => v - pads[k][0]);
    return index.every((v, k) => v >= 0 && v < shape[k]) ? values[ravel(index, shape)] : value;
  });
  return { shape: outShape, values: out };
}

describe('pad', () => {
  it('pads random shapes (incl. size-0 dims) with a constant', () => {
    const g = randomGenerator(801);
    for (let draw = 0; draw < 30; draw++) {
      const shape = randomShape(g, { minRank: 1 });
      const pads = shape.map(() => [uniformInt(g, 0, 2), uniformInt(g, 0, 2)] as [number, number]);
      const values = randomValues(g, size(shape));
      const value = draw % 3 === 0 ? -Infinity : draw;
      const expected = padReference(values, shape, pads, value);
      const y = pad(fromArray(values, shape, 'f64'), pads, value);
      expect(y.shape).toEqual(expected.shape);
      expect(Array.from(y.dataSync())).toEqual(expected.values);
    }
  });

  it('pads only the trailing axes when given fewer entries, and reads strided inputs', () => {
    const values = [1, 2, 3, 4, 5, 6];
    const y = pad(fromArray(values, [2, 3]), [[1, 0]]);
    expect(Array.from(y.dataSync())).toEqual(padReference(values, [2, 3], [[0, 0], [1, 0]], 0).values);
    const t = pad(transpose(fromArray(values, [2, 3])), [[0, 1], [1, 1]], 9);
    expect(Array.from(t.dataSync())).toEqual(padReference([1, 4, 2, 5, 3, 6], [3, 2], [[0, 1], [1, 1]], 9).values);
    expect(pad(tensor([1, 2], undefined, 'i32'), [[1, 1]]).dtype).toBe('i32');
  });

  it('throws ShapeErrors for too many entries and invalid amounts', () => {
    expect(() => pad(zeros([3]), [[0, 0], [1, 1]])).toThrow(ShapeError);
    expect(() => pad(zeros([3]), [[0, 0], [1, 1]])).toThrow('pad: pads has more entries than the tensor has axes; expected at most 1, got 2.');
    expect(() => pad(zeros([3]), [[-1, 0]])).toThrow('pad: pads has an invalid amount; expected non-negative integers, got [-1, 0].\nHint: use slice() to remove entries');
    expect(() => pad(zeros([3]), [[0.5, 0]])).toThrow(ShapeError);
  });

  it('passes gradcheck (the gradient is the slice of the padded gradient)', () => {
    gradcheck((x) => pad(x, [[1, 2], [0, 1]], 3), [{ values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], shape: [2, 3] }]);
  });
});
