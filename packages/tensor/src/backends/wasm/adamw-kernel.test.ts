import { afterAll, describe, expect, it } from 'vitest';
import { adamwUpdate, createCpuBackend, fromArray, type Backend } from '../../index.js';
import type { AdamWUpdateAttrs } from '../../optim/adamw-update.js';
import { randomGenerator, randomValues } from '../../testing/index.js';

const fast = createCpuBackend({ name: 'adamw-fast', threads: 1 });
const reference = createCpuBackend({ name: 'adamw-reference', kernels: 'reference' });
afterAll(() => {
  fast.dispose();
  reference.dispose();
});

/** Every output of one adamwUpdate on `backend`. */
function step(backend: Backend, values: Float64Array[], dtype: 'f32' | 'f64', attrs: AdamWUpdateAttrs): number[][] {
  const [p, g, m, v, vmax] = values.map((x) => fromArray(x, [x.length], dtype, backend));
  const next = adamwUpdate(p, g, { expAvg: m, expAvgSq: v, maxExpAvgSq: attrs.amsgrad ? vmax : undefined }, attrs);
  const out = [next.param, next.expAvg, next.expAvgSq, ...(next.maxExpAvgSq ? [next.maxExpAvgSq] : [])].map((t) => Array.from(t.dataSync()));
  for (const t of [p, g, m, v, vmax, next.param, next.expAvg, next.expAvgSq, next.maxExpAvgSq]) t?.dispose();
  return out;
}

describe('the fast CPU adamwUpdate kernel', () => {
  it.each([
    { amsgrad: false, weightDecay: 0.01, step: 1 },
    { amsgrad: true, weightDecay: 0.1, step: 7 },
    { amsgrad: false, weightDecay: 0, step: 1000 },
  ])('equals the decomposition bit for bit (f32 and f64): %o', ({ amsgrad, weightDecay, step: t }) => {
    expect(fast.hasKernel('adamwUpdate')).toBe(true);
    expect(reference.hasKernel('adamwUpdate')).toBe(false);
    const g = randomGenerator(t);
    const n = 37;
    const values = [
      randomValues(g, n), randomValues(g, n), randomValues(g, n, { low: -0.1, high: 0.1 }),
      randomValues(g, n, { low: 0, high: 0.01 }), randomValues(g, n, { low: 0, high: 0.01 }),
    ];
    values[1][3] = Number.NaN; // a NaN gradient stays NaN in every output it reaches
    const attrs = { lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, step: t, amsgrad };
    for (const dtype of ['f32', 'f64'] as const) expect(step(fast, values, dtype, attrs), dtype).toEqual(step(reference, values, dtype, attrs));
  });
});
