import { afterAll, describe, expect, it } from 'vitest';
import { createCpuBackend, fromArray, max, sum, type Backend } from '../../index.js';
import { randomGenerator, randomValues } from '../../testing/index.js';

const fast = createCpuBackend({ name: 'reduce-fast', threads: 1 });
const reference = createCpuBackend({ name: 'reduce-reference', kernels: 'reference' });
afterAll(() => {
  fast.dispose();
  reference.dispose();
});

function reduced(backend: Backend, values: Float64Array, shape: number[], kind: 'sum' | 'max', axes: number[], keepDims: boolean): number[] {
  const x = fromArray(values, shape, 'f32', backend);
  const y = (kind === 'sum' ? sum : max)(x, axes, { keepDims });
  const out = Array.from(y.dataSync());
  x.dispose();
  y.dispose();
  return out;
}

describe('reductions over middle axes on the fast CPU backend', () => {
  it.each([
    { shape: [16, 4, 12, 8], axes: [0, 2], what: 'a bias gradient over batch and time' },
    { shape: [3, 5, 7], axes: [1], what: 'the middle axis' },
    { shape: [2, 1, 6, 1, 3], axes: [1, 2, 4], what: 'size-1 axes among the reduced ones' },
    { shape: [4, 3, 5, 2], axes: [0, 2, 3], what: 'all but one middle axis' },
    { shape: [5, 0, 3], axes: [1], what: 'an empty reduced axis' },
  ])('equal the reference exactly: $what', ({ shape, axes }) => {
    const values = randomValues(randomGenerator(shape.length * 7), shape.reduce((p, d) => p * d, 1));
    if (values.length > 5) values[5] = Number.NaN;
    // NOTE: max over an empty axis is an error (as in PyTorch), so empty cases check sum only.
    for (const kind of shape.includes(0) ? ['sum' as const] : ['sum', 'max'] as const) {
      for (const keepDims of [false, true]) {
        expect(reduced(fast, values, shape, kind, axes, keepDims), `${kind} keepDims=${keepDims}`)
          .toEqual(reduced(reference, values, shape, kind, axes, keepDims));
      }
    }
  });
});
