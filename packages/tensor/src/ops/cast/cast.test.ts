import { describe, expect, it } from 'vitest';
import { cast, fromArray, tensor, transpose, type DType } from '../../index.js';
import { randomGenerator, randomShape, randomValues } from '../../testing/index.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** What each target dtype stores for a float64 value (PyTorch semantics; f16 is not on the CPU). */
const convert: Record<Exclude<DType, 'f16'>, (v: number) => number> = {
  f64: (v) => v,
  f32: Math.fround,
  i32: (v) => (Number.isNaN(v) ? 0 : (v < 0 ? Math.ceil(v) : Math.floor(v)) + 0), // + 0 turns −0 into 0
  bool: (v) => (v !== 0 ? 1 : 0),
};

describe('cast', () => {
  it('converts between f64, f32, i32 and bool on random shapes', () => {
    const g = randomGenerator(401);
    const pairs: [DType, Exclude<DType, 'f16'>][] = [['f64', 'f32'], ['f32', 'f64'], ['f32', 'i32'], ['f64', 'i32'], ['f32', 'bool'], ['i32', 'f32'], ['i32', 'bool'], ['bool', 'f32'], ['bool', 'i32']];
    for (const [from, to] of pairs) {
      for (let draw = 0; draw < 5; draw++) {
        const shape = randomShape(g);
        const raw = randomValues(g, size(shape), { low: -4, high: 4 }).map((v, i) => (i % 3 === 0 ? Math.round(v) : v));
        const x = fromArray(raw, shape, from);
        const stored = Array.from(x.dataSync());
        const y = cast(x, to);
        expect(y.dtype).toBe(to);
        expect(y.shape).toEqual(shape);
        expect(Array.from(y.dataSync()), `${from}→${to} ${shape}`).toEqual(stored.map(convert[to]));
      }
    }
  });

  it('truncates toward zero and maps NaN to 0 for i32; anything non-zero is true', () => {
    expect(Array.from(cast(tensor([1.7, -1.7, -0.5, NaN, 2]), 'i32').dataSync())).toEqual([1, -1, 0, 0, 2]);
    expect(Array.from(cast(tensor([0, -0, 0.25, NaN, -3]), 'bool').dataSync())).toEqual([0, 0, 1, 1, 1]);
  });

  it('reads strided inputs and always returns a new tensor', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(cast(transpose(x), 'i32').dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    const same = cast(x, 'f32');
    expect(same).not.toBe(x);
    expect(same.storage).not.toBe(x.storage);
  });

  it('passes gradients back in the input dtype, and none through integer results', () => {
    const x = tensor([0.5, 1.5], undefined, 'f64').requireGrad();
    const y = cast(x, 'f32');
    y.backward(tensor([2, 3]));
    expect(x.grad!.dtype).toBe('f64');
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 3]);
    expect(cast(x, 'i32').requiresGrad).toBe(false);
    x.dispose();
  });
});
