import { describe, expect, it } from 'vitest';
import { ConfigError, DTypeError, Generator, ShapeError, manualSeed, memory, randomInt, randomNormal, randomUniform } from '../index.js';
import { gradcheckBackend } from '../testing/index.js';

const stats = (values: ArrayLike<number>) => {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i] - mean) ** 2 / n;
  return { mean, std: Math.sqrt(variance), min: Math.min(...Array.from(values)), max: Math.max(...Array.from(values)) };
};

describe('randomUniform', () => {
  it('draws the generator uniforms in row-major order, scaled to [low, high)', () => {
    const t = randomUniform([2, 3], { low: -2, high: 4, dtype: 'f64', generator: new Generator(9) });
    const g = new Generator(9);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('f64');
    expect(Array.from(t.dataSync())).toEqual(Array.from({ length: 6 }, () => -2 + 6 * g.uniform()));
    t.dispose();
  });

  it('has the moments of U(low, high)', () => {
    const t = randomUniform([100, 100], { low: 1, high: 3, generator: new Generator(1) });
    const s = stats(t.dataSync());
    expect(s.min).toBeGreaterThanOrEqual(1);
    expect(s.max).toBeLessThanOrEqual(3);
    expect(Math.abs(s.mean - 2)).toBeLessThan(0.02);
    expect(Math.abs(s.std - 2 / Math.sqrt(12))).toBeLessThan(0.01);
    t.dispose();
  });

  it('is deterministic for a seed, follows the default generator, and handles empty shapes', () => {
    manualSeed(3);
    const a = randomUniform([5]);
    manualSeed(3);
    const b = randomUniform([5]);
    const c = randomUniform([5]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(b.dataSync()));
    const empty = randomUniform([0, 4]);
    expect(empty.shape).toEqual([0, 4]);
    const scalarValue = randomUniform([]);
    expect(scalarValue.shape).toEqual([]);
    for (const t of [a, b, c, empty, scalarValue]) t.dispose();
  });

  it('creates the tensor on the given backend', () => {
    const backend = gradcheckBackend();
    const before = memory(backend).liveTensors;
    const t = randomUniform([3], { backend, dtype: 'f64' });
    expect(t.backend).toBe(backend);
    t.dispose();
    expect(memory(backend).liveTensors).toBe(before);
  });

  it('validates its arguments', () => {
    expect(() => randomUniform([2], { low: 1, high: 0 })).toThrow(ConfigError);
    expect(() => randomUniform([2], { high: Infinity })).toThrow(/'high' is invalid; expected a finite number/);
    expect(() => randomUniform([2], { dtype: 'i32' as 'f32' })).toThrow(DTypeError);
    expect(() => randomUniform([-1])).toThrow(ShapeError);
  });
});

describe('randomNormal', () => {
  it('draws mean + std · normal() in order and has the right moments', () => {
    const g = new Generator(4);
    const t = randomNormal([3], { mean: 1, std: 2, dtype: 'f64', generator: new Generator(4) });
    expect(Array.from(t.dataSync())).toEqual([0, 1, 2].map(() => 1 + 2 * g.normal()));
    const big = randomNormal([200, 100], { mean: -3, std: 0.5, generator: new Generator(5) });
    const s = stats(big.dataSync());
    expect(Math.abs(s.mean + 3)).toBeLessThan(0.01); // σ of the mean ≈ 0.0035
    expect(Math.abs(s.std - 0.5)).toBeLessThan(0.01);
    t.dispose();
    big.dispose();
  });

  it('validates std', () => {
    expect(() => randomNormal([2], { std: -1 })).toThrow(/'std' is invalid; expected a finite number >= 0, got -1/);
    expect(() => randomNormal([2], { mean: NaN })).toThrow(ConfigError);
  });
});

describe('randomInt', () => {
  it('draws every integer of [low, high) about equally often, as i32', () => {
    const t = randomInt([6000], -3, 3, { generator: new Generator(6) });
    expect(t.dtype).toBe('i32');
    const counts = new Map<number, number>();
    for (const v of t.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2]);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(120); // σ ≈ 29
    t.dispose();
  });

  it('covers the full int32 range and is deterministic', () => {
    const a = randomInt([50], -(2 ** 31), 2 ** 31, { generator: new Generator(8) });
    const b = randomInt([50], -(2 ** 31), 2 ** 31, { generator: new Generator(8) });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(a.dataSync().some((v) => v < 0)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('validates the range', () => {
    expect(() => randomInt([2], 3, 3)).toThrow(/'high' is invalid; expected an integer in \(low = 3, 2\^31\]/);
    expect(() => randomInt([2], 0.5, 3)).toThrow(ConfigError);
    expect(() => randomInt([2], 0, 2 ** 32)).toThrow(ConfigError);
  });
});
