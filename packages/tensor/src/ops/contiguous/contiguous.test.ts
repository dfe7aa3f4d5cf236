import { describe, expect, it } from 'vitest';
import { contiguous, expand, fromArray, memory, permute, slice, tensor } from '../../index.js';
import { gradcheck, permuteReference, randomGenerator, randomShape, randomValues, ravel, unravel } from '../../testing/index.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('contiguous', () => {
  it('copies permuted views of random shapes (incl. size-0 dims) into row-major order', () => {
    const g = randomGenerator(501);
    for (let draw = 0; draw < 20; draw++) {
      const shape = randomShape(g, { minRank: 1 });
      const axes = shape.map((_, i) => i).reverse();
      const values = randomValues(g, size(shape));
      const y = contiguous(permute(fromArray(values, shape, 'f64'), axes));
      expect(y.isContiguous).toBe(true);
      expect(y.shape).toEqual(axes.map((a) => shape[a]));
      expect(Array.from(y.dataSync())).toEqual(Array.from(permuteReference(values, shape, axes)));
    }
  });

  it('copies slices (non-zero offset) and expanded (stride 0) views', () => {
    const values = Array.from({ length: 20 }, (_, i) => i);
    const x = fromArray(values, [4, 5]);
    const s = contiguous(slice(x, [1, 2], [3, 5]));
    const expected: number[] = [];
    for (let i = 1; i < 3; i++) for (let j = 2; j < 5; j++) expected.push(values[ravel([i, j], [4, 5])]);
    expect(Array.from(s.dataSync())).toEqual(expected);
    const e = contiguous(expand(tensor([[1], [2]]), [3, 2, 4]));
    expect(Array.from(e.dataSync())).toEqual(Array.from({ length: 24 }, (_, i) => unravel(i, [3, 2, 4])[1] + 1));
    expect(e.storage.size).toBe(24);
  });

  it('copies a contiguous input too (new storage) and passes gradcheck', () => {
    const x = tensor([1, 2, 3]);
    const y = contiguous(x);
    expect(y.storage).not.toBe(x.storage);
    gradcheck((t) => contiguous(permute(t, [1, 0])), [{ values: [1, 2, 3, 4, 5, 6], shape: [2, 3] }]);
  });

  it('leaks nothing', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const before = memory();
    const view = permute(x, [1, 0]);
    contiguous(view).dispose();
    view.dispose();
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(memory().liveBytes).toBe(before.liveBytes);
  });
});
