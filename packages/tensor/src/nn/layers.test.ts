import { describe, expect, it } from 'vitest';
import {
  ConfigError, Conv2d, Embedding, Generator, LayerNorm, Linear, conv2d, fromArray, init, mul, sum, tidy,
} from '../index.js';
import { expectClose } from '../testing/index.js';

const randomValues = (g: Generator, n: number) => Float64Array.from({ length: n }, () => g.uniform() * 2 - 1);

describe('Linear', () => {
  it('initialises like torch.nn.Linear (init.linearDefault) and computes x · Wᵀ + b', () => {
    const layer = new Linear(5, 3, { generator: new Generator(1), dtype: 'f64' });
    const expected = init.linearDefault(3, 5, { generator: new Generator(1), dtype: 'f64' });
    expect(Array.from(layer.weight.dataSync())).toEqual(Array.from(expected.weight.dataSync()));
    expect(Array.from(layer.bias!.dataSync())).toEqual(Array.from(expected.bias.dataSync()));
    const w = layer.weight.dataSync();
    const b = layer.bias!.dataSync();
    expect(Array.from(w).every((v) => Math.abs(v) <= 1 / Math.sqrt(5))).toBe(true);
    for (const lead of [[2, 4], [0], [1]]) {
      const rows = lead.reduce((a, c) => a * c, 1);
      const xs = randomValues(new Generator(rows), rows * 5);
      const y = layer.forward(fromArray(xs, [...lead, 5], 'f64'));
      expect(y.shape).toEqual([...lead, 3]);
      const ref = Array.from({ length: rows * 3 }, (_, k) => {
        const [r, o] = [Math.floor(k / 3), k % 3];
        let acc = b[o];
        for (let i = 0; i < 5; i++) acc += xs[r * 5 + i] * w[o * 5 + i];
        return acc;
      });
      expectClose(y.dataSync(), ref, { atol: 1e-14, rtol: 1e-14 });
    }
    layer.dispose();
  });

  it('has no bias parameter with bias: false, and rejects bad sizes', () => {
    const layer = new Linear(4, 2, { bias: false });
    expect(layer.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(layer.weight.shape).toEqual([2, 4]);
    layer.dispose();
    expect(() => new Linear(-1, 2)).toThrow(ConfigError);
    expect(() => new Linear(2, 1.5)).toThrow(/Linear: 'outFeatures' is invalid; expected a non-negative integer, got 1.5/);
  });
});

describe('LayerNorm', () => {
  it('starts with weight 1 and bias 0 and normalises the trailing dimensions', () => {
    const norm = new LayerNorm([2, 3], { eps: 1e-3, dtype: 'f64' });
    expect(Array.from(norm.weight!.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(norm.bias!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    norm.weight!.assign(fromArray([1, 2, 3, 4, 5, 6], [2, 3], 'f64'));
    const xs = randomValues(new Generator(4), 4 * 6);
    const y = norm.forward(fromArray(xs, [4, 2, 3], 'f64'));
    const ref: number[] = [];
    for (let r = 0; r < 4; r++) {
      const row = Array.from(xs.slice(r * 6, r * 6 + 6));
      const m = row.reduce((a, v) => a + v, 0) / 6;
      const v = row.reduce((a, x) => a + (x - m) ** 2, 0) / 6;
      row.forEach((x, i) => ref.push(((x - m) / Math.sqrt(v + 1e-3)) * (i + 1)));
    }
    expectClose(y.dataSync(), ref, { atol: 1e-12, rtol: 1e-12 });
    norm.dispose();
  });

  it('has no parameters without elementwiseAffine, and no bias with bias: false', () => {
    expect(new LayerNorm(4, { elementwiseAffine: false }).parameters()).toHaveLength(0);
    const noBias = new LayerNorm(4, { bias: false });
    expect(noBias.namedParameters().map(([n]) => n)).toEqual(['weight']);
    noBias.dispose();
    expect(() => new LayerNorm([])).toThrow(ConfigError);
  });
});

describe('Embedding', () => {
  it('draws N(0, 1) weights and looks rows up', () => {
    const emb = new Embedding(500, 8, { generator: new Generator(5), dtype: 'f64' });
    const w = Array.from(emb.weight.dataSync());
    const mean = w.reduce((a, v) => a + v, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.05); // σ/√4000 ≈ 0.016
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
    const y = emb.forward(fromArray([3, 0, 499, 3], [2, 2], 'i32'));
    expect(y.shape).toEqual([2, 2, 8]);
    expect(Array.from(y.dataSync())).toEqual([3, 0, 499, 3].flatMap((id) => w.slice(id * 8, id * 8 + 8)));
    emb.dispose();
  });

  it('zeroes the padding row and sends it no gradient', () => {
    const emb = new Embedding(6, 3, { generator: new Generator(6), paddingIdx: -1, dtype: 'f64' });
    expect(emb.paddingIdx).toBe(5);
    const w = Array.from(emb.weight.dataSync());
    expect(w.slice(15)).toEqual([0, 0, 0]);
    expect(w.slice(0, 15).every((v) => v !== 0)).toBe(true);
    // A non-zero padding row (e.g. loaded) is still read in the forward pass, as in PyTorch.
    emb.weight.assign(fromArray(w.map((v, i) => (i >= 15 ? 7 : v)), [6, 3], 'f64'));
    const ids = fromArray([5, 1, 5, 2], [4], 'i32');
    const scale = fromArray(Array.from({ length: 12 }, (_, i) => i + 1), [4, 3], 'f64');
    const out = tidy(() => {
      const y = emb.forward(ids);
      sum(mul(y, scale)).backward();
      return y;
    });
    expect(Array.from(out.dataSync().slice(0, 3))).toEqual([7, 7, 7]);
    const grad = Array.from(emb.weight.grad!.dataSync());
    expect(grad.slice(15)).toEqual([0, 0, 0]);
    expect(grad.slice(3, 6)).toEqual([4, 5, 6]);
    expect(grad.slice(6, 9)).toEqual([10, 11, 12]);
    expect(() => new Embedding(6, 3, { paddingIdx: 6 })).toThrow(/'paddingIdx' is invalid; expected an integer in \[-6, 6\)/);
    emb.dispose();
  });
});

describe('Conv2d', () => {
  it('initialises like torch.nn.Conv2d and applies conv2d with its geometry', () => {
    const conv = new Conv2d(4, 6, [3, 2], { groups: 2, stride: 2, padding: 1, generator: new Generator(7), dtype: 'f64' });
    expect(conv.weight.shape).toEqual([6, 2, 3, 2]);
    expect(conv.bias!.shape).toEqual([6]);
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    const expected = init.kaimingUniform([6, 2, 3, 2], { a: Math.sqrt(5), generator: new Generator(7), dtype: 'f64' });
    expect(Array.from(conv.weight.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect([...conv.weight.dataSync(), ...conv.bias!.dataSync()].every((v) => Math.abs(v) <= bound)).toBe(true);
    const x = fromArray(randomValues(new Generator(8), 2 * 4 * 5 * 5), [2, 4, 5, 5], 'f64');
    const y = conv.forward(x);
    const ref = conv2d(x, conv.weight, conv.bias, { groups: 2, stride: 2, padding: 1 });
    expect(y.shape).toEqual([2, 6, 3, 3]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    conv.dispose();
    expect(new Conv2d(3, 4, 3, { bias: false }).bias).toBeNull();
  });

  it('rejects groups that do not divide the channels and bad kernel sizes', () => {
    expect(() => new Conv2d(4, 6, 3, { groups: 3 })).toThrow(ConfigError);
    expect(() => new Conv2d(4, 6, 0)).toThrow(/Conv2d: 'kernelSize' is invalid/);
  });
});
