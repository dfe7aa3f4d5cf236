import { describe, expect, it } from 'vitest';
import { ConfigError, DTypeError, Generator, dropout, fromArray, manualSeed, memory, ones, sum, tensor } from '../../index.js';
import { expectClose, gradcheck } from '../../testing/index.js';

describe('dropout', () => {
  it('keeps an element where the generator draws u ≥ p, scaled by 1/(1 − p)', () => {
    const values = Array.from({ length: 24 }, (_, i) => i - 7.5);
    const y = dropout(fromArray(values, [2, 3, 4], 'f64'), 0.25, { generator: new Generator(51) });
    const g = new Generator(51);
    const ref = values.map((v) => (g.uniform() >= 0.25 ? v / 0.75 : 0));
    expect(y.shape).toEqual([2, 3, 4]);
    expectClose(y.dataSync(), ref, { atol: 0, rtol: 1e-15 });
    expect(ref.some((v) => v === 0) && ref.some((v) => v !== 0)).toBe(true);
  });

  it('keeps about 1 − p of the elements and preserves the mean', () => {
    const x = ones([100, 100]);
    const y = dropout(x, 0.3, { generator: new Generator(52) });
    const out = Array.from(y.dataSync());
    const kept = out.filter((v) => v !== 0).length / out.length;
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.015); // σ ≈ 0.0046
    expect(out.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(Math.abs(out.reduce((a, b) => a + b, 0) / out.length - 1)).toBeLessThan(0.03);
  });

  it('is deterministic for the default generator seed', () => {
    const x = ones([50]);
    manualSeed(7);
    const a = Array.from(dropout(x, 0.5).dataSync());
    const b = Array.from(dropout(x, 0.5).dataSync());
    manualSeed(7);
    expect(Array.from(dropout(x, 0.5).dataSync())).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it('is a differentiable identity when not training or when p = 0, and zeros when p = 1', () => {
    const x = tensor([1, -2, 3]).requireGrad();
    for (const y of [dropout(x, 0.5, { training: false }), dropout(x, 0)]) {
      expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
      expect(y).not.toBe(x);
      sum(y).backward();
      expect(Array.from(x.grad!.dataSync())).toEqual([1, 1, 1]);
      x.grad!.dispose();
      x.grad = null;
    }
    const zero = dropout(x, 1);
    expect(Array.from(zero.dataSync())).toEqual([0, 0, 0]);
    sum(zero).backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 0, 0]);
    x.dispose();
  });

  it('passes gradcheck for a fixed mask, handles empty tensors and frees its mask', () => {
    const values = Array.from({ length: 12 }, (_, i) => Math.sin(i));
    gradcheck((x) => dropout(x, 0.4, { generator: new Generator(53) }), [{ values, shape: [3, 4] }]);
    expect(dropout(ones([0, 3]), 0.5).shape).toEqual([0, 3]);
    const x = ones([4, 4]);
    const before = memory().liveTensors;
    const y = dropout(x, 0.5);
    expect(memory().liveTensors).toBe(before + 1);
    y.dispose();
    x.dispose();
  });

  it('validates its arguments', () => {
    const x = ones([2]);
    expect(() => dropout(x, -0.1)).toThrow(ConfigError);
    expect(() => dropout(x, 1.5)).toThrow(/dropout: 'p' is invalid; expected a probability in \[0, 1\], got 1.5/);
    expect(() => dropout(x, NaN)).toThrow(ConfigError);
    expect(() => dropout(tensor([1], undefined, 'i32'), 0.5)).toThrow(DTypeError);
  });
});
