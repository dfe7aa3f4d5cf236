import { describe, expect, it } from 'vitest';
import { ConfigError, Generator, ShapeError, init, manualSeed } from '../index.js';
import { erfScalar } from '../ops/unary/erf.js';

const stats = (t: { dataSync(): ArrayLike<number> }) => {
  const values = Array.from(t.dataSync());
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { mean, std, min: Math.min(...values), max: Math.max(...values), n };
};

const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
const Phi = (x: number) => (1 + erfScalar(x / Math.SQRT2)) / 2;

describe('fans and gains', () => {
  it('computes fans as torch.nn.init._calculate_fan_in_and_fan_out (values from PyTorch 1.13)', () => {
    expect(init.calculateFanInAndFanOut([16, 3, 5, 5])).toEqual({ fanIn: 75, fanOut: 400 });
    expect(init.calculateFanInAndFanOut([7, 4])).toEqual({ fanIn: 4, fanOut: 7 });
    expect(init.calculateFanInAndFanOut([2, 3, 4])).toEqual({ fanIn: 12, fanOut: 8 });
    expect(init.calculateFanInAndFanOut([5, 0])).toEqual({ fanIn: 0, fanOut: 5 });
    expect(() => init.calculateFanInAndFanOut([5])).toThrow(ShapeError);
    expect(() => init.xavierUniform([5])).toThrow(/xavierUniform: shape has no fan in and fan out; expected at least 2 dimensions/);
  });

  it('computes gains as torch.nn.init.calculate_gain (values from PyTorch 1.13)', () => {
    const names = ['linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'] as const;
    expect(names.map((n) => init.calculateGain(n))).toEqual([1, 1, 1, 1.6666666666666667, 1.4142135623730951, expect.closeTo(1.4141428569978354, 15), 0.75]);
    expect(init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(1.3867504905630728, 15);
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(0.5773502691896257, 15);
    expect(() => init.calculateGain('swish' as 'relu')).toThrow(ConfigError);
  });
});

describe('initializers', () => {
  it('normal and uniform have the requested moments and bounds', () => {
    const n = init.normal([200, 100], { mean: 0.5, std: 0.02, generator: new Generator(71) });
    const sn = stats(n);
    expect(Math.abs(sn.mean - 0.5)).toBeLessThan(0.001); // σ of the mean = 0.00014
    expect(Math.abs(sn.std - 0.02)).toBeLessThan(0.0005);
    const u = init.uniform([200, 100], { low: -3, high: 1, generator: new Generator(72) });
    const su = stats(u);
    expect(su.min).toBeGreaterThanOrEqual(-3);
    expect(su.max).toBeLessThan(1);
    expect(Math.abs(su.mean + 1)).toBeLessThan(0.03);
    expect(Math.abs(su.std - 4 / Math.sqrt(12))).toBeLessThan(0.02);
  });

  it('truncatedNormal stays in [a, b] with the moments of the truncated distribution', () => {
    for (const [mean, std, a, b] of [[0, 1, -2, 2], [1, 2, 0, 3], [0, 0.02, -0.04, 0.04], [0, 1, 2, 4]]) {
      const t = init.truncatedNormal([100, 200], { mean, std, a, b, dtype: 'f64', generator: new Generator(73) });
      const s = stats(t);
      const [alpha, beta] = [(a - mean) / std, (b - mean) / std];
      const z = Phi(beta) - Phi(alpha);
      const expectedMean = mean + std * (phi(alpha) - phi(beta)) / z;
      const expectedVar = std ** 2 * (1 + (alpha * phi(alpha) - beta * phi(beta)) / z - ((phi(alpha) - phi(beta)) / z) ** 2);
      const label = `mean ${mean} std ${std} [${a}, ${b}]`;
      expect(s.min, label).toBeGreaterThanOrEqual(a);
      expect(s.max, label).toBeLessThanOrEqual(b);
      expect(Math.abs(s.mean - expectedMean), label).toBeLessThan(0.02 * std);
      expect(Math.abs(s.std - Math.sqrt(expectedVar)), label).toBeLessThan(0.02 * std);
    }
  });

  it('truncatedNormal follows the truncated CDF (inverse-CDF sampling is exact)', () => {
    const t = init.truncatedNormal([20000], { a: -1, b: 1.5, dtype: 'f64', generator: new Generator(74) });
    const values = Array.from(t.dataSync());
    const z = Phi(1.5) - Phi(-1);
    for (const q of [-0.5, 0, 0.7, 1.2]) {
      const empirical = values.filter((v) => v <= q).length / values.length;
      expect(Math.abs(empirical - (Phi(q) - Phi(-1)) / z), `quantile at ${q}`).toBeLessThan(0.012);
    }
  });

  it('truncatedNormal maps each uniform draw through the inverse CDF (vs bisection)', () => {
    const [mean, std, a, b] = [0.5, 2, -1, 4];
    const t = init.truncatedNormal([40], { mean, std, a, b, dtype: 'f64', generator: new Generator(75) });
    const g = new Generator(75);
    const [low, high] = [Phi((a - mean) / std), Phi((b - mean) / std)];
    const expected = Array.from({ length: 40 }, () => {
      const target = low + (high - low) * g.uniform();
      let [lo, hi] = [a, b];
      for (let i = 0; i < 80; i++) {
        const mid = (lo + hi) / 2;
        if (Phi((mid - mean) / std) < target) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    });
    const got = Array.from(t.dataSync());
    got.forEach((v, i) => expect(v, `draw ${i}`).toBeCloseTo(expected[i], 9));
  });

  it('xavier initializers use std = gain·√(2/(fanIn + fanOut))', () => {
    const shape = [64, 32, 3];
    const std = 2 * Math.sqrt(2 / (96 + 192));
    const u = stats(init.xavierUniform(shape, { gain: 2, generator: new Generator(75) }));
    expect(u.min).toBeGreaterThanOrEqual(-Math.sqrt(3) * std);
    expect(u.max).toBeLessThanOrEqual(Math.sqrt(3) * std);
    expect(u.max).toBeGreaterThan(0.98 * Math.sqrt(3) * std);
    expect(Math.abs(u.std / std - 1)).toBeLessThan(0.03);
    const n = stats(init.xavierNormal(shape, { gain: 2, generator: new Generator(76) }));
    expect(Math.abs(n.std / std - 1)).toBeLessThan(0.03);
    expect(Math.abs(n.mean)).toBeLessThan(0.05 * std);
  });

  it('kaiming initializers use std = gain/√fan for conv shapes and both modes', () => {
    const shape = [32, 16, 3, 3]; // fanIn 144, fanOut 288
    const reluStd = Math.SQRT2 / Math.sqrt(144);
    const n = stats(init.kaimingNormal(shape, { nonlinearity: 'relu', generator: new Generator(77) }));
    expect(Math.abs(n.std / reluStd - 1)).toBeLessThan(0.03);
    const out = stats(init.kaimingNormal(shape, { mode: 'fanOut', nonlinearity: 'relu', generator: new Generator(78) }));
    expect(Math.abs(out.std / (Math.SQRT2 / Math.sqrt(288)) - 1)).toBeLessThan(0.03);
    const leakyBound = Math.sqrt(3) * Math.sqrt(2 / (1 + 0.1 ** 2)) / Math.sqrt(144);
    const u = stats(init.kaimingUniform(shape, { a: 0.1, generator: new Generator(79) }));
    expect(u.min).toBeGreaterThanOrEqual(-leakyBound);
    expect(u.max).toBeLessThanOrEqual(leakyBound);
    expect(u.max).toBeGreaterThan(0.99 * leakyBound);
    expect(Math.abs(u.std / (leakyBound / Math.sqrt(3)) - 1)).toBeLessThan(0.03);
    expect(() => init.kaimingUniform(shape, { mode: 'fan_in' as 'fanIn' })).toThrow(/kaimingUniform: 'mode' is invalid/);
  });

  it('linearDefault draws weight then bias from U(−1/√in, 1/√in), as nn.Linear', () => {
    const { weight, bias } = init.linearDefault(50, 40, { generator: new Generator(80) });
    const bound = 1 / Math.sqrt(40);
    expect(weight.shape).toEqual([50, 40]);
    expect(bias.shape).toEqual([50]);
    const w = stats(weight);
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeLessThanOrEqual(bound);
    expect(Math.abs(w.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
    const b = stats(bias);
    expect(b.min).toBeGreaterThanOrEqual(-bound);
    expect(b.max).toBeLessThanOrEqual(bound);
    // the same generator, drawn in the same order, reproduces both
    const g = new Generator(80);
    const expectedWeight = init.kaimingUniform([50, 40], { a: Math.sqrt(5), generator: g });
    const expectedBias = init.uniform([50], { low: -bound, high: bound, generator: g });
    expect(Array.from(weight.dataSync())).toEqual(Array.from(expectedWeight.dataSync()));
    expect(Array.from(bias.dataSync())).toEqual(Array.from(expectedBias.dataSync()));
    const empty = init.linearDefault(3, 0);
    expect(empty.weight.shape).toEqual([3, 0]);
    expect(Array.from(empty.bias.dataSync())).toEqual([0, 0, 0]);
  });

  it('is deterministic for the default generator seed and handles empty shapes', () => {
    manualSeed(81);
    const a = Array.from(init.xavierNormal([4, 5]).dataSync());
    manualSeed(81);
    expect(Array.from(init.xavierNormal([4, 5]).dataSync())).toEqual(a);
    expect(init.xavierUniform([0, 0]).shape).toEqual([0, 0]);
    expect(init.kaimingNormal([0, 3, 2]).shape).toEqual([0, 3, 2]);
    expect(init.truncatedNormal([2, 0]).shape).toEqual([2, 0]);
  });

  it('validates its arguments', () => {
    expect(() => init.truncatedNormal([2], { a: 1, b: 1 })).toThrow(/truncatedNormal: 'a, b' is invalid; expected finite bounds with a < b/);
    expect(() => init.truncatedNormal([2], { std: 0 })).toThrow(ConfigError);
    expect(() => init.truncatedNormal([2], { b: Infinity })).toThrow(ConfigError);
    expect(() => init.normal([2], { std: -1 })).toThrow(ConfigError);
    expect(() => init.uniform([2], { low: 2, high: 1 })).toThrow(ConfigError);
    expect(() => init.kaimingNormal([2, 2], { nonlinearity: 'gelu' as 'relu' })).toThrow(ConfigError);
    expect(() => init.xavierNormal([2, -1])).toThrow(ShapeError);
  });
});
