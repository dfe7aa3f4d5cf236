import { describe, expect, it } from 'vitest';
import { ConfigError, Generator, clipGradNorm, fromArray, memory } from '../index.js';
import { expectClose } from '../testing/index.js';

function setup(seed: number) {
  const g = new Generator(seed);
  const shapes = [[3, 4], [0, 2], [5], [2, 2]];
  const grads = shapes.map((s) => Array.from({ length: s.reduce((a, d) => a * d, 1) }, () => g.uniform() * 4 - 2));
  const params = shapes.map((s, i) => {
    const p = fromArray(new Float64Array(grads[i].length), s, 'f64').requireGrad();
    if (i !== 3) p.grad = fromArray(grads[i], s, 'f64');
    return p;
  });
  return { params, grads: grads.slice(0, 3) };
}

/** torch.nn.utils.clip_grad_norm_ in float64: the p-norm of the per-tensor p-norms. */
function referenceNorm(grads: number[][], p: number): number {
  const norms = grads.map((g) => (p === Infinity ? Math.max(0, ...g.map(Math.abs)) : g.reduce((a, v) => a + Math.abs(v) ** p, 0) ** (1 / p)));
  return p === Infinity ? Math.max(...norms) : norms.reduce((a, n) => a + n ** p, 0) ** (1 / p);
}

describe('clipGradNorm', () => {
  for (const normType of [2, 1, 3, Infinity]) {
    it(`scales every gradient by min(1, maxNorm / (norm + 1e-6)) and returns the ${normType}-norm`, async () => {
      const { params, grads } = setup(normType === Infinity ? 99 : normType);
      const total = referenceNorm(grads, normType);
      const maxNorm = total / 3;
      const identity = params.map((p) => p.grad);
      const before = memory().liveTensors;
      const norm = clipGradNorm(params, maxNorm, { normType });
      expect(memory().liveTensors).toBe(before + 1);
      expect(norm.shape).toEqual([]);
      expect(await norm.item()).toBeCloseTo(total, 12);
      const coefficient = maxNorm / (total + 1e-6);
      params.slice(0, 3).forEach((p, i) => {
        expect(p.grad).toBe(identity[i]);
        expectClose(p.grad!.dataSync(), grads[i].map((v) => v * coefficient), { atol: 1e-14, rtol: 1e-12 });
      });
      expect(params[3].grad).toBeNull();
      norm.dispose();
      for (const p of params) p.dispose();
    });
  }

  it('leaves gradients alone below maxNorm, gives 0 without gradients, and validates its options', async () => {
    const { params, grads } = setup(5);
    const norm = clipGradNorm(params, 1e6);
    params.slice(0, 3).forEach((p, i) => expect(Array.from(p.grad!.dataSync())).toEqual(grads[i]));
    const none = clipGradNorm([params[3]], 1);
    expect(await none.item()).toBe(0);
    expect(() => clipGradNorm(params, 1, { normType: 0 })).toThrow(ConfigError);
    expect(() => clipGradNorm(params, -1)).toThrow(/'maxNorm' is invalid; expected a number >= 0, got -1/);
    norm.dispose();
    none.dispose();
    for (const p of params) p.dispose();
  });
});
