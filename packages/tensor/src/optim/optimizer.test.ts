import { describe, expect, it } from 'vitest';
import {
  AdamW, ConfigError, DisposedTensorError, Generator, LinearWarmupCosine, SGD, ShapeError, fromArray, memory, type Tensor,
} from '../index.js';
import { expectClose } from '../testing/index.js';

const shapes = [[3, 4], [5], [0, 3], [2, 2, 2]];
const sizeOf = (shape: number[]) => shape.reduce((a, d) => a * d, 1);

/** Seeded initial values for each shape, and a seeded gradient per (step, parameter). */
function problem(seed: number) {
  const g = new Generator(seed);
  const draw = (n: number) => Array.from({ length: n }, () => g.uniform() * 2 - 1);
  const initial = shapes.map((s) => draw(sizeOf(s)));
  const grads = Array.from({ length: 6 }, () => shapes.map((s) => draw(sizeOf(s))));
  return { initial, grads };
}

/** Parameter `i` has no gradient at step `t` (it must then be left alone, state included). */
const skipped = (t: number, i: number) => t === 3 && i === 3;

function makeParams(initial: number[][], dtype: 'f32' | 'f64' = 'f64'): Tensor[] {
  return initial.map((v, i) => fromArray(v, shapes[i], dtype).requireGrad());
}

function setGrads(params: Tensor[], grads: number[][], t: number): void {
  params.forEach((p, i) => {
    if (!skipped(t, i)) p.grad = fromArray(grads[i], shapes[i], p.dtype);
  });
}

interface AdamWRefOptions { lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean }

/**
 * torch.optim.AdamW in float64, from the algorithm of its documentation; the AMSGrad maximum is
 * taken over the raw second moments and bias-corrected afterwards, as `_single_tensor_adamw` does.
 */
function adamwReference(initial: number[], grads: (number[] | null)[], o: AdamWRefOptions): number[] {
  const p = [...initial];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const vMax = p.map(() => 0);
  let t = 0;
  for (const g of grads) {
    if (!g) continue;
    t += 1;
    for (let j = 0; j < p.length; j++) {
      p[j] *= 1 - o.lr * o.weightDecay;
      m[j] = o.betas[0] * m[j] + (1 - o.betas[0]) * g[j];
      v[j] = o.betas[1] * v[j] + (1 - o.betas[1]) * g[j] * g[j];
      vMax[j] = Math.max(vMax[j], v[j]);
      const mHat = m[j] / (1 - o.betas[0] ** t);
      const denom = Math.sqrt(o.amsgrad ? vMax[j] : v[j]) / Math.sqrt(1 - o.betas[1] ** t) + o.eps;
      p[j] -= o.lr * mHat / denom;
    }
  }
  return p;
}

interface SGDRefOptions { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean }

/** torch.optim.SGD in float64, from the algorithm of its documentation. */
function sgdReference(initial: number[], grads: (number[] | null)[], o: SGDRefOptions): number[] {
  const p = [...initial];
  let b: number[] | null = null;
  for (const g of grads) {
    if (!g) continue;
    const d = g.map((gj, j) => gj + o.weightDecay * p[j]);
    let step = d;
    if (o.momentum !== 0) {
      b = b ? b.map((bj, j) => o.momentum * bj + (1 - o.dampening) * d[j]) : [...d];
      step = o.nesterov ? d.map((dj, j) => dj + o.momentum * b![j]) : b;
    }
    for (let j = 0; j < p.length; j++) p[j] -= o.lr * step[j];
  }
  return p;
}

const gradsOf = (grads: number[][][], i: number) => grads.map((step, t) => (skipped(t, i) ? null : step[i]));

describe('AdamW', () => {
  it('matches a float64 re-implementation step by step, with groups, weight decay, amsgrad and skipped gradients', () => {
    const { initial, grads } = problem(11);
    const params = makeParams(initial);
    const defaults = { lr: 3e-3, eps: 1e-6 };
    const groups = [
      { params: params.slice(0, 3), lr: 1e-2, amsgrad: true },
      { params: params.slice(3), weightDecay: 0.1, betas: [0.8, 0.99] as const },
    ];
    const opt = new AdamW(groups, defaults);
    const hyper: AdamWRefOptions[] = [
      { lr: 1e-2, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 1e-2, amsgrad: true },
      { lr: 3e-3, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: false },
    ];
    for (let t = 0; t < grads.length; t++) {
      setGrads(params, grads[t], t);
      opt.step();
      opt.zeroGrad();
      params.forEach((p, i) => {
        const ref = adamwReference(initial[i], gradsOf(grads.slice(0, t + 1), i), hyper[i < 3 ? 0 : 1]);
        expectClose(p.dataSync(), ref, { atol: 1e-13, rtol: 1e-12 });
      });
    }
    expect(opt.state.get(params[3])!.step).toBe(5);
    expect(opt.state.get(params[0])!.step).toBe(6);
    expect(Object.keys(opt.state.get(params[0])!)).toEqual(['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']);
    expect(Object.keys(opt.state.get(params[3])!)).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
    opt.dispose();
    for (const p of params) p.dispose();
  });

  it('validates hyperparameters and parameters', () => {
    const p = fromArray([1], [1]).requireGrad();
    expect(() => new AdamW([p], { betas: [1, 0.9] })).toThrow(/AdamW: 'betas' is invalid; expected two numbers in \[0, 1\)/);
    expect(() => new AdamW([p], { lr: -1 })).toThrow(ConfigError);
    expect(() => new AdamW([])).toThrow(/expected at least one parameter/);
    expect(() => new AdamW([{ params: [p] }, { params: [p], lr: 1 }])).toThrow(/each parameter in one group only/);
    expect(() => new AdamW([fromArray([1], [1], 'i32')])).toThrow(/expected float tensors, got a i32 tensor/);
    p.dispose();
  });
});

describe('SGD', () => {
  it('matches a float64 re-implementation with momentum, dampening, Nesterov and weight decay', () => {
    const { initial, grads } = problem(12);
    const params = makeParams(initial);
    const hyper: SGDRefOptions[] = [
      { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true },
      { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0, nesterov: false },
      { lr: 0.2, momentum: 0, dampening: 0, weightDecay: 0.1, nesterov: false },
      { lr: 0.05, momentum: 0.5, dampening: 0, weightDecay: 0, nesterov: false },
    ];
    const opt = new SGD([
      { params: [params[0]], momentum: 0.9, nesterov: true, weightDecay: 0.01 },
      { params: [params[1]], momentum: 0.8, dampening: 0.3, lr: 0.05 },
      { params: [params[2]], lr: 0.2, weightDecay: 0.1 },
      { params: [params[3]], momentum: 0.5, lr: 0.05 },
    ], { lr: 0.1 });
    for (let t = 0; t < grads.length; t++) {
      setGrads(params, grads[t], t);
      opt.step();
      opt.zeroGrad();
      params.forEach((p, i) => expectClose(p.dataSync(), sgdReference(initial[i], gradsOf(grads.slice(0, t + 1), i), hyper[i]), { atol: 1e-14, rtol: 1e-13 }));
    }
    expect(opt.state.get(params[2])).toEqual({});
    expect(opt.state.get(params[0])!.momentum_buffer!.shape).toEqual([3, 4]);
    opt.dispose();
    for (const p of params) p.dispose();
  });

  it('rejects Nesterov without momentum or with dampening', () => {
    const p = fromArray([1], [1]).requireGrad();
    expect(() => new SGD([p], { nesterov: true })).toThrow(/SGD: 'nesterov' is invalid; expected momentum > 0 and dampening 0/);
    expect(() => new SGD([p], { nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(ConfigError);
    p.dispose();
  });
});

describe('Optimizer step atomicity', () => {
  it('leaves every parameter and the state untouched when a step fails midway', () => {
    const { initial, grads } = problem(13);
    const params = makeParams(initial, 'f32');
    const opt = new AdamW(params, { lr: 0.1 });
    setGrads(params, grads[0], 0);
    params[3].grad!.dispose();
    params[3].grad = fromArray([1, 2], [2]);
    const before = memory().liveTensors;
    expect(() => opt.step()).toThrow(ShapeError);
    expect(() => opt.step()).toThrow(/AdamW: grad does not match its parameter; expected \(2,2,2\), got \(2,\)/);
    expect(memory().liveTensors).toBe(before);
    expect(opt.state.size).toBe(0);
    params.forEach((p, i) => expectClose(p.dataSync(), initial[i], { atol: 0, rtol: 1e-7 }));

    params[3].grad!.dispose();
    params[3].grad = fromArray(grads[0][3], shapes[3]);
    params[2].dispose();
    const live = memory().liveTensors;
    expect(() => opt.step()).toThrow(DisposedTensorError);
    expect(memory().liveTensors).toBe(live);
    expect(opt.state.size).toBe(0);
    expectClose(params[0].dataSync(), initial[0], { atol: 0, rtol: 1e-7 });
    opt.zeroGrad();
    for (const p of params) p.dispose();
  });
});

describe('Optimizer and schedule state dicts', () => {
  it('save and load give an identical continuation, with JSON-able hyperparameters and copied state', () => {
    const { initial, grads } = problem(14);
    const build = (values: number[][]) => {
      const params = makeParams(values, 'f32');
      const opt = new AdamW([{ params: params.slice(0, 2), amsgrad: true }, { params: params.slice(2), lr: 5e-3 }], { lr: 1e-2, weightDecay: 0.05 });
      const schedule = new LinearWarmupCosine(opt, { warmupSteps: 2, totalSteps: 6, minLrRatio: 0.1 });
      return { params, opt, schedule };
    };
    const train = (run: ReturnType<typeof build>, from: number, to: number) => {
      for (let t = from; t < to; t++) {
        setGrads(run.params, grads[t], t);
        run.opt.step();
        run.opt.zeroGrad();
        run.schedule.step();
      }
    };
    const a = build(initial);
    train(a, 0, 3);
    const saved = a.opt.stateDict();
    expect([...saved.state.keys()]).toEqual([0, 1, 2, 3]);
    expect(saved.state.get(3)!.step).toBe(3);
    const groups = JSON.parse(JSON.stringify(saved.paramGroups));
    const factor = 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)); // step 3: a quarter into the cosine
    expect(groups).toEqual([
      { lr: 1e-2 * factor, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.05, amsgrad: true, params: [0, 1] },
      { lr: 5e-3 * factor, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.05, amsgrad: false, params: [2, 3] },
    ].map((g) => ({ ...g, lr: expect.closeTo(g.lr, 15) })));
    const scheduleState = JSON.parse(JSON.stringify(a.schedule.stateDict()));

    const b = build(a.params.map((p) => Array.from(p.dataSync())));
    b.opt.loadStateDict({ state: saved.state, paramGroups: groups });
    b.schedule.loadStateDict(scheduleState);
    expect(b.opt.state.get(b.params[0])!.exp_avg).not.toBe(saved.state.get(0)!.exp_avg);
    expect(b.schedule.getLr()).toEqual(a.schedule.getLr());
    train(a, 3, 6);
    train(b, 3, 6);
    a.params.forEach((p, i) => expect(Array.from(b.params[i].dataSync())).toEqual(Array.from(p.dataSync())));
    expect(b.opt.paramGroups.map((g) => g.lr)).toEqual(a.opt.paramGroups.map((g) => g.lr));

    const other = makeParams(initial.slice(0, 2), 'f32');
    const mismatched = new AdamW(other);
    expect(() => mismatched.loadStateDict(a.opt.stateDict())).toThrow(/'paramGroups' is invalid; expected groups of sizes \[2\], got \[2, 2\]/);
    const swapped = new AdamW([{ params: [other[1]] }, { params: [other[0]] }]);
    const wrongShape = { state: new Map([[0, a.opt.stateDict().state.get(0)!]]), paramGroups: swapped.stateDict().paramGroups };
    expect(() => swapped.loadStateDict(wrongShape)).toThrow(ShapeError);

    for (const run of [a, b]) {
      run.opt.dispose();
      for (const p of run.params) p.dispose();
    }
    for (const p of other) p.dispose();
  });
});
