import { describe, expect, it } from 'vitest';
import {
  ShapeError, arange, createCpuBackend, fromArray, full, fullLike, memory, ones, onesLike, scalar, tensor, zeros,
  zerosLike,
} from '../../index.js';
import { randomGenerator, randomShape, randomValues } from '../../testing/index.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('tensor and fromArray', () => {
  it('infer the shape from nesting and the dtype from typed arrays', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('f32');
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('f64');
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('i32');
    expect(tensor(new Uint8Array([1, 0])).dtype).toBe('bool');
    expect(tensor(new Float32Array(6), [2, 3]).shape).toEqual([2, 3]);
    expect(tensor([true, false]).dataSync()[0]).toBe(1);
    expect(tensor(3).shape).toEqual([]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('round-trip random values of random shapes in every CPU dtype', () => {
    const g = randomGenerator(601);
    for (let draw = 0; draw < 20; draw++) {
      const shape = randomShape(g);
      const values = randomValues(g, size(shape), { low: -100, high: 100 });
      expect(Array.from(fromArray(values, shape, 'f64').dataSync())).toEqual(Array.from(values));
      expect(Array.from(fromArray(values, shape, 'f32').dataSync())).toEqual(Array.from(values, Math.fround));
      expect(Array.from(fromArray(values, shape, 'i32').dataSync())).toEqual(Array.from(values, Math.trunc));
    }
  });

  it('copies the host values (later changes to the source do not leak in)', () => {
    const host = new Float32Array([1, 2]);
    const t = fromArray(host, [2]);
    host[0] = 99;
    expect(t.dataSync()[0]).toBe(1);
  });

  it('throw ShapeErrors for a wrong value count or an invalid shape', () => {
    expect(() => fromArray([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => fromArray([1, 2, 3], [2, 2])).toThrow('tensor: values do not fill the shape; expected 4 values for shape (2,2), got 3.');
    expect(() => fromArray([], [-1])).toThrow('tensor: shape has an invalid dimension; expected non-negative integers, got (-1,).');
    expect(() => zeros([1.5])).toThrow(ShapeError);
    expect(() => full([2, -2], 0)).toThrow('full: shape has an invalid dimension');
  });
});

describe('constant fills', () => {
  it('fill shapes (incl. size 0) with the value in the dtype', () => {
    expect(Array.from(full([2, 2], 7.5).dataSync())).toEqual([7.5, 7.5, 7.5, 7.5]);
    expect(Array.from(full([3], 7.5, 'i32').dataSync())).toEqual([7, 7, 7]);
    expect(Array.from(zeros([2, 0, 3]).dataSync())).toEqual([]);
    expect(zeros([2, 0, 3]).shape).toEqual([2, 0, 3]);
    expect(Array.from(ones([2], 'bool').dataSync())).toEqual([1, 1]);
    const s = scalar(4, 'f64');
    expect(s.shape).toEqual([]);
    expect(s.dtype).toBe('f64');
  });

  it('place *Like tensors on the source tensor\'s backend, dtype and shape', () => {
    const other = createCpuBackend({ name: 'other' });
    const x = full([2, 3], 1, 'i32', other);
    for (const [y, v] of [[zerosLike(x), 0], [onesLike(x), 1], [fullLike(x, -4), -4]] as const) {
      expect(y.backend).toBe(other);
      expect(y.dtype).toBe('i32');
      expect(y.shape).toEqual([2, 3]);
      expect(Array.from(y.dataSync())).toEqual(new Array(6).fill(v));
    }
    expect(memory(other).liveTensors).toBe(4);
  });
});

describe('arange', () => {
  it('matches Python range semantics for integer and fractional steps', () => {
    const ref = (start: number, end: number, step: number) => {
      const out: number[] = [];
      for (let i = 0; step > 0 ? start + i * step < end : start + i * step > end; i++) out.push(start + i * step);
      return out;
    };
    expect(Array.from(arange(5).dataSync())).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('i32');
    for (const [start, end, step] of [[0, 10, 3], [2, -3, -1], [-1, 1, 0.25], [5, 5, 1], [5, 0, 1], [0, 1, 0.1]]) {
      const got = arange(start, end, step, 'f64');
      expect(Array.from(got.dataSync()), `${start} ${end} ${step}`).toEqual(ref(start, end, step));
    }
  });

  it('rejects a zero or non-finite step with a ShapeError', () => {
    expect(() => arange(0, 3, 0)).toThrow(ShapeError);
    expect(() => arange(0, 3, NaN)).toThrow('arange: step is invalid; expected a finite non-zero number, got NaN.');
  });
});
