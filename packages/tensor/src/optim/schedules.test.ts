import { describe, expect, it } from 'vitest';
import { AdamW, ConfigError, LambdaLR, LinearWarmupCosine, OneCycleLinear, SGD, fromArray } from '../index.js';

const params = () => [fromArray([1], [1]).requireGrad(), fromArray([2], [1]).requireGrad()];

/** Runs `steps` schedule steps and returns the lr of every group at steps 0..steps. */
function trace(schedule: { step(): void; getLr(): number[] }, steps: number): number[][] {
  const out = [schedule.getLr()];
  for (let s = 0; s < steps; s++) {
    schedule.step();
    out.push(schedule.getLr());
  }
  return out;
}

describe('LinearWarmupCosine', () => {
  it("follows llm.c's schedule: (s + 1)/W warm-up, half cosine to minLrRatio at totalSteps, then flat", () => {
    const opt = new AdamW(params(), { lr: 0.1 });
    const lrs = trace(new LinearWarmupCosine(opt, { warmupSteps: 4, totalSteps: 12, minLrRatio: 0.1 }), 14).map(([lr]) => lr);
    const expected = [0.025, 0.05, 0.075, 0.1, 0.1];
    for (let s = 5; s <= 14; s++) expected.push(s >= 12 ? 0.01 : 0.1 * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * (s - 4)) / 8))));
    lrs.forEach((lr, s) => expect(lr).toBeCloseTo(expected[s], 15));
    expect(lrs[8]).toBeCloseTo(0.055, 15);
    expect(opt.paramGroups[0].lr).toBe(lrs[14]);
  });

  it('validates its options', () => {
    const opt = new SGD(params());
    expect(() => new LinearWarmupCosine(opt, { warmupSteps: 5, totalSteps: 4 })).toThrow(/'totalSteps' is invalid; expected an integer >= warmupSteps \(5\), got 4/);
    expect(() => new LinearWarmupCosine(opt, { warmupSteps: 1, totalSteps: 4, minLrRatio: 2 })).toThrow(ConfigError);
  });
});

describe('LambdaLR', () => {
  it('multiplies each group base lr by its lambda and restores its state', () => {
    const [a, b] = params();
    const opt = new SGD([{ params: [a], lr: 1 }, { params: [b], lr: 0.5 }]);
    const schedule = new LambdaLR(opt, [(s) => 0.5 ** s, (s) => 1 / (s + 1)]);
    expect(trace(schedule, 3)).toEqual([[1, 0.5], [0.5, 0.25], [0.25, 0.5 / 3], [0.125, 0.125]]);
    const saved = JSON.parse(JSON.stringify(schedule.stateDict()));
    expect(saved).toEqual({ lastStep: 3, baseLrs: [1, 0.5] });
    const fresh = new LambdaLR(opt, [(s) => 0.5 ** s, (s) => 1 / (s + 1)]);
    expect(fresh.baseLrs).toEqual([0.125, 0.125]);
    fresh.loadStateDict(saved);
    expect(fresh.getLr()).toEqual([0.125, 0.125]);
    fresh.step();
    expect(fresh.getLr()).toEqual([0.0625, 0.1]);
    expect(() => fresh.loadStateDict({ lastStep: 1, baseLrs: [1] })).toThrow(/'baseLrs' is invalid; expected 2 learning rates/);
    expect(() => new LambdaLR(opt, [(s) => s])).toThrow(ConfigError);
  });
});

/** torch.optim.lr_scheduler.OneCycleLR.get_lr (two phases, linear annealing), transcribed. */
function oneCycleReference(step: number, o: { maxLr: number; total: number; pct: number; div: number; finalDiv: number }) {
  const initial = o.maxLr / o.div;
  const phases = [
    { end: o.pct * o.total - 1, lr: [initial, o.maxLr], m: [0.95, 0.85] },
    { end: o.total - 1, lr: [o.maxLr, initial / o.finalDiv], m: [0.85, 0.95] },
  ];
  let start = 0;
  for (const [i, phase] of phases.entries()) {
    if (step <= phase.end || i === phases.length - 1) {
      const pct = (step - start) / (phase.end - start);
      return { lr: (phase.lr[1] - phase.lr[0]) * pct + phase.lr[0], momentum: (phase.m[1] - phase.m[0]) * pct + phase.m[0] };
    }
    start = phase.end;
  }
  throw new Error('unreachable');
}

describe('OneCycleLinear', () => {
  it("matches torch's OneCycleLR(anneal_strategy='linear') for lr and Adam's beta1", () => {
    const opt = new AdamW(params(), { betas: [0.9, 0.98] });
    const schedule = new OneCycleLinear(opt, { maxLr: 1, totalSteps: 10 });
    const o = { maxLr: 1, total: 10, pct: 0.3, div: 25, finalDiv: 1e4 };
    for (let s = 0; s <= 10; s++) {
      const ref = oneCycleReference(s, o);
      expect(schedule.getLr()[0]).toBeCloseTo(ref.lr, 14);
      expect(opt.paramGroups[0].betas[0]).toBeCloseTo(ref.momentum, 14);
      expect(opt.paramGroups[0].betas[1]).toBe(0.98);
      if (s < 10) schedule.step();
    }
    expect(() => schedule.step()).toThrow(/OneCycleLinear: 'step' is invalid; expected at most totalSteps \(10\) steps, got 11/);
  });

  it('gives the known values of the LRA setting (pctStart = warmup / steps) and cycles SGD momentum', () => {
    const opt = new SGD(params(), { momentum: 0.9 });
    const lrs = trace(new OneCycleLinear(opt, { maxLr: 1e-4, totalSteps: 50, pctStart: 10 / 50 }), 49).map(([lr]) => lr);
    expect(lrs[0]).toBeCloseTo(4e-6, 18);
    expect(lrs[5]).toBeCloseTo(4e-6 + (96e-6 * 5) / 9, 18);
    expect(lrs[9]).toBeCloseTo(1e-4, 18);
    expect(lrs[49]).toBeCloseTo(4e-10, 18);
    expect(opt.paramGroups[0].momentum).toBeCloseTo(0.95, 15);
    expect(() => new OneCycleLinear({ paramGroups: [{ lr: 1 }] }, { maxLr: 1, totalSteps: 5 })).toThrow(/expected an optimizer with betas or momentum/);
    expect(new OneCycleLinear({ paramGroups: [{ lr: 1 }] }, { maxLr: 1, totalSteps: 5, cycleMomentum: false }).getLr()).toEqual([0.04]);
  });
});
