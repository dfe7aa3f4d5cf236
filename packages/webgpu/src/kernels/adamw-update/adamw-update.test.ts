// The fused AdamW step against the CPU reference (the adamwUpdate composite's decomposition): several
// optimizer steps over parameters of odd sizes with amsgrad on and off and weight decay 0 and > 0,
// comparing parameters and every state tensor; one dispatch per parameter per step; views with
// offsets; always on the GPU kernel (no CPU fallback).
import { AdamW, adamwUpdate, cast, fromArray, narrow, tidy, type AdamWState, type Backend, type Tensor } from '@longshort/tensor';
import { expectClose } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { backendForTests, random, reference } from '../../test-support.js';

const backend = await backendForTests();

const shapes = [[1], [3], [257], [33, 17]];

interface Trained {
  readonly params: Float32Array[];
  readonly state: Record<string, Float32Array>[];
  /** Dispatches of each step after the first (the first also creates zero moments). */
  readonly dispatches: number[];
}

/** `steps` AdamW steps on `target` with seeded gradients; parameters, state and dispatch counts. */
async function train(target: Backend, options: { amsgrad: boolean; weightDecay: number }, steps: number, count: () => number): Promise<Trained> {
  const next = random(11);
  const draw = (shape: number[]) => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next() * 4 - 2);
  const params = shapes.map((shape) => fromArray(draw(shape), shape, 'f32', target));
  const optimizer = new AdamW(params, { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, ...options });
  const dispatches: number[] = [];
  for (let step = 0; step < steps; step++) {
    params.forEach((p, i) => { p.grad = fromArray(draw(shapes[i]), shapes[i], 'f32', target); });
    const before = count();
    optimizer.step();
    if (step > 0) dispatches.push(count() - before);
    optimizer.zeroGrad();
  }
  const state = await Promise.all(params.map(async (p) => {
    const s = optimizer.state.get(p)! as AdamWState;
    const entries = Object.entries(s).filter((e): e is [string, Tensor] => typeof e[1] !== 'number');
    return Object.fromEntries(await Promise.all(entries.map(async ([key, t]) => [key, await t.data() as Float32Array] as const)));
  }));
  const values = await Promise.all(params.map((p) => p.data() as Promise<Float32Array>));
  optimizer.dispose();
  for (const p of params) p.dispose();
  return { params: values, state, dispatches };
}

describe.skipIf(!backend)('fused AdamW step on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => {
    expect(gpu.stats().fallbacks).toEqual({});
    gpu.dispose();
  });

  it.each([
    [false, 0], [false, 0.1], [true, 0], [true, 0.1],
  ])('amsgrad %s, weight decay %s: parameters and state follow the CPU reference over 6 steps', async (amsgrad, weightDecay) => {
    const options = { amsgrad, weightDecay };
    const expected = await train(reference, options, 6, () => 0);
    const got = await train(gpu, options, 6, () => gpu.stats().dispatches);
    expect(got.dispatches).toEqual(Array(5).fill(shapes.length));
    got.params.forEach((p, i) => expectClose(p, expected.params[i], { atol: 1e-6, rtol: 1e-5 }, `parameter ${i}`));
    got.state.forEach((s, i) => {
      expect(Object.keys(s).sort()).toEqual(Object.keys(expected.state[i]).sort());
      expect(Object.keys(s)).toHaveLength(amsgrad ? 2 + 1 : 2);
      for (const key of Object.keys(s)) expectClose(s[key], expected.state[i][key], { atol: 1e-7, rtol: 1e-5 }, `state ${i}.${key}`);
    });
  });

  it('reads inputs at offsets (contiguous views)', async () => {
    const run = async (target: Backend) => {
      const next = random(5);
      const whole = Array.from({ length: 5 }, () => fromArray(Array.from({ length: 4 * 9 }, () => next() + 0.5), [4, 9], 'f32', target));
      const [p, g, m, v, vmax] = whole.map((t, i) => narrow(t, 0, i % 3, 2));
      const out = tidy(() => adamwUpdate(p, g, { expAvg: m, expAvgSq: v, maxExpAvgSq: vmax },
        { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 3, amsgrad: true }));
      const results = await Promise.all([out.param, out.expAvg, out.expAvgSq, out.maxExpAvgSq!].map((t) => t.data()));
      for (const t of [...whole, p, g, m, v, vmax, out.param, out.expAvg, out.expAvgSq, out.maxExpAvgSq!]) t.dispose();
      return results;
    };
    const expected = await run(reference);
    const got = await run(gpu);
    got.forEach((values, i) => expectClose(values, expected[i], { atol: 1e-7, rtol: 1e-5 }, `output ${i}`));
  });

  it('f16 stores halves and computes in f32 (needs shader-f16)', async (context) => {
    if (!gpu.capabilities.dtypes.includes('f16')) {
      console.info("skipped: this adapter lacks 'shader-f16' (SwiftShader has none); the f16 AdamW step runs only where the feature exists");
      context.skip();
    }
    const attrs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-3, weightDecay: 0.1, step: 2, amsgrad: false };
    const run = async (target: Backend, dtype: 'f16' | 'f32') => {
      const inputs = [[1, -2, 0.5], [0.25, 0.5, -1], [0.1, 0, -0.1], [0.01, 0.02, 0.03]].map((v) => fromArray(v, [3], 'f32', target));
      const out = tidy(() => {
        const [p, g, m, v] = inputs.map((t) => cast(t, dtype));
        const next = adamwUpdate(p, g, { expAvg: m, expAvgSq: v }, attrs);
        return [next.param, next.expAvg, next.expAvgSq].map((t) => cast(t, 'f32'));
      });
      const results = await Promise.all(out.map((t) => t.data()));
      for (const t of [...inputs, ...out]) t.dispose();
      return results;
    };
    const expected = await run(reference, 'f32');
    const got = await run(gpu, 'f16');
    got.forEach((values, i) => expectClose(values, expected[i], { atol: 1e-3, rtol: 2e-3 }, `output ${i}`));
  });
});
