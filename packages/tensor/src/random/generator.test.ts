import { describe, expect, it } from 'vitest';
import { ConfigError, Generator, defaultGenerator, manualSeed } from '../index.js';

const take = (n: number, draw: () => number) => Array.from({ length: n }, draw);

describe('Generator', () => {
  it('implements xoshiro128** (reference outputs for the state 1, 2, 3, 4)', () => {
    const g = new Generator();
    g.setState({ algorithm: 'xoshiro128**', words: [1, 2, 3, 4], cachedNormal: null });
    // Outputs of the reference C implementation (prng.di.unimi.it/xoshiro128starstar.c), compiled and run.
    expect(take(6, () => g.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = take(20, () => new Generator(1234).nextUint32());
    const g = new Generator(1234);
    const b = take(20, () => g.nextUint32());
    expect(new Set(a).size).toBe(1); // a fresh generator per draw repeats the first value
    expect(b[0]).toBe(a[0]);
    const h = new Generator(1234);
    expect(take(20, () => h.nextUint32())).toEqual(b);
    const other = new Generator(1235);
    expect(take(20, () => other.nextUint32())).not.toEqual(b);
    // seeds beyond 32 bits and negative seeds are distinct streams too
    const big = new Generator(2 ** 40 + 1234);
    expect(take(4, () => big.nextUint32())).not.toEqual(b.slice(0, 4));
    const negative = new Generator(-1234);
    expect(take(4, () => negative.nextUint32())).not.toEqual(b.slice(0, 4));
  });

  it('round-trips its state through JSON, including the cached normal', () => {
    const g = new Generator(7);
    g.uniform();
    g.normal(); // leaves the second Box–Muller value cached
    const saved = JSON.parse(JSON.stringify(g.getState()));
    expect(saved.cachedNormal).not.toBeNull();
    const expected = [g.normal(), g.uniform(), g.normal(), g.nextUint32()];
    const restored = new Generator(999);
    restored.setState(saved);
    expect([restored.normal(), restored.uniform(), restored.normal(), restored.nextUint32()]).toEqual(expected);
  });

  it('clone() continues the same sequence independently; fork() starts a different, deterministic one', () => {
    const g = new Generator(3);
    g.nextUint32();
    const c = g.clone();
    const fromClone = take(5, () => c.uniform());
    expect(take(5, () => g.uniform())).toEqual(fromClone);
    const f1 = new Generator(3).fork();
    const f2 = new Generator(3).fork();
    const childValues = take(5, () => f1.uniform());
    expect(take(5, () => f2.uniform())).toEqual(childValues);
    const parent = new Generator(3);
    parent.fork();
    expect(take(5, () => parent.uniform())).not.toEqual(childValues);
  });

  it('draws uniforms in [0, 1) with the right moments and normals with mean 0, std 1', () => {
    const g = new Generator(11);
    const n = 20000;
    const u = take(n, () => g.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const mean = u.reduce((a, b) => a + b, 0) / n;
    const variance = u.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // σ of the mean ≈ 0.002
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.003);
    for (const v of u) expect(Math.fround(v)).toBe(v); // exactly representable in float32
    const z = take(n, () => g.normal());
    const zMean = z.reduce((a, b) => a + b, 0) / n;
    const zVar = z.reduce((a, b) => a + (b - zMean) ** 2, 0) / n;
    expect(Math.abs(zMean)).toBeLessThan(0.03); // σ of the mean ≈ 0.007
    expect(Math.abs(zVar - 1)).toBeLessThan(0.04);
    const within1 = z.filter((v) => Math.abs(v) < 1).length / n;
    expect(Math.abs(within1 - 0.6827)).toBeLessThan(0.015);
  });

  it('manualSeed() reseeds the default generator in place', () => {
    const g = defaultGenerator();
    manualSeed(5);
    const first = take(3, () => g.nextUint32());
    expect(manualSeed(5)).toBe(g);
    expect(take(3, () => defaultGenerator().nextUint32())).toEqual(first);
    const fresh = new Generator(5);
    expect(first).toEqual(take(3, () => fresh.nextUint32()));
  });

  it('rejects bad seeds and states', () => {
    expect(() => new Generator(1.5)).toThrow(ConfigError);
    expect(() => new Generator(2 ** 60)).toThrow(/seed' is invalid; expected a safe integer/);
    const g = new Generator();
    expect(() => g.setState({ algorithm: 'xoshiro128**', words: [0, 0, 0, 0], cachedNormal: null })).toThrow(/four uint32 not all zero/);
    expect(() => g.setState({ algorithm: 'xoshiro128**', words: [1, 2, 3, 2 ** 32], cachedNormal: null })).toThrow(ConfigError);
    expect(() => g.setState({ algorithm: 'mt19937', words: [1, 2, 3, 4], cachedNormal: null } as never)).toThrow(ConfigError);
    expect(() => g.setState({ algorithm: 'xoshiro128**', words: [1, 2, 3, 4], cachedNormal: NaN })).toThrow(/cachedNormal/);
  });
});
