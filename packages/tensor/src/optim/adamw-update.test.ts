// adamwUpdate: its validation, that it records no gradient, and that a backend kernel under its name
// replaces the decomposition (the hook of fused optimizer steps); the decomposition's numbers are
// checked against float64 torch AdamW in optimizer.test.ts.
import { describe, expect, it } from 'vitest';
import { ConfigError, DTypeError, ShapeError, adamwUpdate, createCpuBackend, fromArray, tidy, type CpuKernel, type Tensor } from '../index.js';

const attrs = { lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, step: 1, amsgrad: false };

describe('adamwUpdate', () => {
  it('checks shapes, dtypes and the AMSGrad state', () => {
    const p = fromArray([1, 2], [2], 'f32');
    const z = fromArray([0, 0], [2], 'f32');
    expect(() => adamwUpdate(p, fromArray([1], [1], 'f32'), { expAvg: z, expAvgSq: z }, attrs)).toThrow(ShapeError);
    expect(() => adamwUpdate(p, fromArray([1, 2], [2], 'f64'), { expAvg: z, expAvgSq: z }, attrs)).toThrow(DTypeError);
    expect(() => adamwUpdate(p, z, { expAvg: z, expAvgSq: z }, { ...attrs, amsgrad: true })).toThrow(ConfigError);
    expect(() => adamwUpdate(fromArray([1], [1], 'i32'), z, { expAvg: z, expAvgSq: z }, attrs)).toThrow(DTypeError);
  });

  it('returns p, m, v (and the AMSGrad maximum) without recording a gradient', async () => {
    const p = fromArray([1, -2], [2], 'f32').requireGrad();
    const g = fromArray([0.5, 0.5], [2], 'f32');
    const z = fromArray([0, 0], [2], 'f32');
    const out = tidy(() => adamwUpdate(p, g, { expAvg: z, expAvgSq: z, maxExpAvgSq: z }, { ...attrs, amsgrad: true }));
    expect(out.param.requiresGrad).toBe(false);
    // Step 1: m = 0.05, v = 0.0025, p ← p·(1 − 0.001) − 0.1·sign(g) (up to eps).
    expect(Array.from(await out.param.data())).toEqual([Math.fround(Math.fround(0.999) - 0.1), Math.fround(Math.fround(-1.998) - 0.1)].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(await out.expAvg.data())).toEqual([0.05, 0.05].map((v) => expect.closeTo(v, 7)));
    expect(Array.from(await out.maxExpAvgSq!.data())).toEqual(Array.from(await out.expAvgSq.data()));
  });

  it('runs a backend kernel registered under its name instead of the decomposition', async () => {
    const backend = createCpuBackend({ kernels: 'reference' });
    const calls: number[] = [];
    const kernel: CpuKernel = (inputs, outputs) => {
      calls.push(inputs.length);
      for (const out of outputs) out.array.fill(7);
    };
    backend.registerKernel('adamwUpdate', kernel);
    const [p, g, m, v] = [1, 2, 3, 4].map((x) => fromArray([x], [1], 'f32', backend));
    const out = adamwUpdate(p, g, { expAvg: m, expAvgSq: v }, attrs);
    expect(calls).toEqual([4]);
    expect(Array.from(await out.param.data())).toEqual([7]);
    for (const t of [p, g, m, v, out.param, out.expAvg, out.expAvgSq] as Tensor[]) t.dispose();
  });
});
