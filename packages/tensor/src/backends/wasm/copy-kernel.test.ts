import { afterAll, describe, expect, it } from 'vitest';
import { contiguous, createCpuBackend, expand, fromArray, narrow, pad, permute, type Backend, type DType, type Tensor } from '../../index.js';
import { randomGenerator, randomIntegers } from '../../testing/index.js';

const fast = createCpuBackend({ name: 'copy-fast', threads: 1 });
const reference = createCpuBackend({ name: 'copy-reference', kernels: 'reference' });
afterAll(() => {
  fast.dispose();
  reference.dispose();
});

function copyOf(backend: Backend, values: Float64Array, shape: number[], dtype: DType, view: (t: Tensor) => Tensor,
  copy: (v: Tensor) => Tensor = contiguous) {
  const x = fromArray(values, shape, dtype, backend);
  const v = view(x);
  expect(v.isContiguous).toBe(false);
  const c = copy(v);
  const out = Array.from(c.dataSync());
  for (const t of [x, v, c]) t.dispose();
  return out;
}

describe('fast contiguous', () => {
  const views: [string, number[], (t: Tensor) => Tensor][] = [
    ['permute (0,2,1,3)', [2, 5, 3, 4], (t) => permute(t, [0, 2, 1, 3])],
    ['permute (2,0,1): strided rows', [3, 4, 5], (t) => permute(t, [2, 0, 1])],
    ['narrow of the last axis, at an offset', [4, 9], (t) => narrow(t, 1, 2, 5)],
    ['narrow then permute', [6, 7, 2], (t) => permute(narrow(t, 0, 1, 4), [1, 0, 2])],
    ['expand (zero strides)', [3, 1], (t) => expand(t, [2, 3, 4])],
    ['expand of a scalar', [], (t) => expand(t, [2, 2])],
    ['empty', [0, 3], (t) => permute(t, [1, 0])],
  ];

  it.each(views)('copies %s exactly like the reference, for every dtype', (_, shape, view) => {
    const values = randomIntegers(randomGenerator(4), shape.reduce((p, d) => p * d, 1), -50, 50);
    for (const dtype of ['f32', 'f64', 'i32', 'bool'] as const) {
      const data = dtype === 'bool' ? values.map((v) => (v > 0 ? 1 : 0)) : values.map((v) => v / 4);
      expect(copyOf(fast, data, shape, dtype, view), dtype).toEqual(copyOf(reference, data, shape, dtype, view));
    }
  });
});

describe('fast pad', () => {
  const cases: [string, number[], (t: Tensor) => Tensor, (t: Tensor) => Tensor][] = [
    ['a permuted view, every axis padded, value 0', [2, 3, 4], (t) => permute(t, [2, 0, 1]), (v) => pad(v, [[1, 0], [0, 2], [3, 1]])],
    ['the middle axis only, value -1.5', [3, 5, 2], (t) => narrow(t, 1, 1, 3), (v) => pad(v, [[0, 0], [2, 1], [0, 0]], -1.5)],
    ['an expanded view, the last axis', [3, 1], (t) => expand(t, [2, 3, 4]), (v) => pad(v, [[0, 0], [0, 0], [0, 5]], 2)],
    ['an empty view', [0, 3], (t) => permute(t, [1, 0]), (v) => pad(v, [[1, 1], [0, 2]], 1)],
  ];

  it.each(cases)('pads %s exactly like the reference, for every dtype', (_, shape, view, padded) => {
    const values = randomIntegers(randomGenerator(5), shape.reduce((p, d) => p * d, 1), -50, 50);
    for (const dtype of ['f32', 'f64', 'i32', 'bool'] as const) {
      const data = dtype === 'bool' ? values.map((v) => (v > 0 ? 1 : 0)) : values.map((v) => v / 4);
      expect(copyOf(fast, data, shape, dtype, view, padded), dtype).toEqual(copyOf(reference, data, shape, dtype, view, padded));
    }
  });
});
