import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, ShapeError, fromArray, getBackend, memory, tidy, type Tensor } from '@longshort/tensor';
import { expectClose, loadFixture } from '@longshort/tensor/testing';
import { describe, expect, it } from 'vitest';
import { fixtureHandler } from '../testing/fixture-handler.js';
import { bidirectionalReference, type Params } from '../testing/loop-reference.js';
import { LongShortAttention } from './bidirectional.js';

const fixtures = ['bidir-basic', 'bidir-cls', 'bidir-four-heads', 'bidir-window-only'];
const fixturePath = (name: string) => fileURLToPath(new URL(`../../../../fixtures/reference/${name}.safetensors`, import.meta.url));

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

describe('LongShortAttention (bidirectional) against the authors\' fixtures', () => {
  for (const name of fixtures) {
    it(`reproduces ${name}: outputs within 1e-4, gradients within 1e-3`, async () => {
      const fixture = loadFixture(readFileSync(fixturePath(name)));
      const { outputs, gradients } = await fixtureHandler.run(fixture, getBackend());
      for (const o of outputs) expect(o.relError, o.name).toBeLessThan(1e-4);
      expect(gradients.length).toBeGreaterThan(10);
      for (const g of gradients) expect(g.relError, g.name).toBeLessThan(1e-3);
      for (const t of fixture.tensors.values()) t.dispose();
    });
  }
});

describe('LongShortAttention against the float64 loop reference', () => {
  const configs = [
    { dim: 12, numHeads: 3, numLandmarks: 1, windowSize: 3, cls: false, n: 12, padded: 2 }, // odd w
    { dim: 8, numHeads: 2, numLandmarks: 3, windowSize: 1, cls: false, n: 5, padded: 0 }, // w = 1
    { dim: 8, numHeads: 1, numLandmarks: 2, windowSize: 5, cls: true, n: 10, padded: 3 }, // CLS, odd w
    { dim: 8, numHeads: 2, numLandmarks: 0, windowSize: 4, cls: false, n: 4, padded: 1 }, // one segment, window-only
    { dim: 8, numHeads: 2, numLandmarks: 2, windowSize: 0, cls: false, n: 6, padded: 2 }, // projection-only
    { dim: 8, numHeads: 2, numLandmarks: 0, windowSize: 0, cls: true, n: 6, padded: 1 }, // diagonal-only with CLS
  ];
  for (const [index, c] of configs.entries()) {
    it(`matches on config ${index} (w ${c.windowSize}, r ${c.numLandmarks}, cls ${c.cls})`, async () => {
      const rand = seeded(100 + index);
      const module = new LongShortAttention({ dim: c.dim, numHeads: c.numHeads, numLandmarks: c.numLandmarks, windowSize: c.windowSize, poolingMode: c.cls ? 'cls' : 'mean' });
      const params: Params = {};
      const dict = new Map<string, Tensor>();
      for (const [name, t] of module.stateDict()) {
        const values = Float64Array.from({ length: t.size }, () => rand());
        params[name] = values;
        dict.set(name, fromArray(values, t.shape, 'f32'));
      }
      module.loadStateDict(dict);
      const tokens = c.n + (c.cls ? 1 : 0);
      const xValues = Float64Array.from({ length: tokens * c.dim }, () => rand());
      const maskValues = Array.from({ length: tokens }, (_, i) => (i < tokens - c.padded ? 1 : 0));
      const y = tidy(() => module.forward(fromArray(xValues, [1, tokens, c.dim], 'f32'), fromArray(maskValues, [1, tokens], 'f32')));
      const expected = bidirectionalReference(xValues, maskValues.slice(c.cls ? 1 : 0), params, { ...c, eps: 1e-5 });
      expectClose(await y.data(), expected, { atol: 1e-4, rtol: 1e-4 });
      y.dispose();
      for (const t of dict.values()) t.dispose();
      module.dispose();
    });
  }
});

describe('LongShortAttention behaviour', () => {
  it('does not let padded values change real tokens\' outputs', async () => {
    const rand = seeded(7);
    const module = new LongShortAttention({ dim: 8, numHeads: 2, numLandmarks: 2, windowSize: 4 });
    const x = Array.from({ length: 16 * 8 }, () => rand());
    const mask = Array.from({ length: 16 }, (_, i) => (i < 11 ? 1 : 0));
    const changed = x.map((v, i) => (i >= 11 * 8 ? v * 100 + 3 : v));
    const run = (values: number[]) => tidy(() => module.forward(fromArray(values, [1, 16, 8]), fromArray(mask, [1, 16])));
    const a = run(x);
    const b = run(changed);
    expectClose((await a.data()).slice(0, 11 * 8), (await b.data()).slice(0, 11 * 8), { atol: 1e-6, rtol: 1e-5 });
    a.dispose();
    b.dispose();
    module.dispose();
  });

  it('rejects a length that is not a multiple of the window, naming both and how to pad', () => {
    const module = new LongShortAttention({ dim: 8, numHeads: 2, numLandmarks: 2, windowSize: 4 });
    const x = fromArray(new Float32Array(10 * 8), [1, 10, 8]);
    expect(() => module.forward(x)).toThrow(ShapeError);
    expect(() => module.forward(x)).toThrow(/multiple of the window size 4[\s\S]*n = 10[\s\S]*pad the sequence to 12/);
    x.dispose();
    module.dispose();
  });

  it('validates its configuration', () => {
    expect(() => new LongShortAttention({ dim: 10, numHeads: 3, numLandmarks: 1, windowSize: 2 })).toThrow(ConfigError);
    expect(() => new LongShortAttention({ dim: 8, numHeads: 2, numLandmarks: 0, windowSize: 0 })).toThrow(/windowSize/);
  });

  it('frees every intermediate', () => {
    const module = new LongShortAttention({ dim: 8, numHeads: 2, numLandmarks: 2, windowSize: 4 });
    const x = fromArray(new Float32Array(8 * 8).fill(0.5), [1, 8, 8]);
    const before = memory().liveTensors;
    module.forward(x).dispose();
    expect(memory().liveTensors).toBe(before);
    x.dispose();
    module.dispose();
  });
});
