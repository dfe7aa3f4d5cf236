// Learning-rate schedules (torch.optim.lr_scheduler conventions): constructing one sets the
// step-0 learning rates, step() after each optimizer step moves to the next. LambdaLR (generic),
// LinearWarmupCosine (llm.c's train_gpt2 schedule), and OneCycleLinear (torch's OneCycleLR with
// anneal_strategy='linear', as the LRA scripts of Transformer-LS use, spec A.8).
import { ConfigError } from '../errors/index.js';

/** What a schedule needs from an optimizer: its groups' learning rates (and momenta). */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly { lr: number; betas?: readonly [number, number]; momentum?: number }[];
}

/** A schedule's state: plain numbers, JSON-able. */
export interface SchedulerStateDict {
  readonly lastStep: number;
  readonly baseLrs: readonly number[];
}

/**
 * The base of the schedules: per group, lr = lrAt(step, group). Subclasses end their
 * constructor with `this.apply()` to set the step-0 values.
 */
export abstract class LRScheduler {
  /** Steps taken so far (torch's last_epoch). */
  lastStep = 0;
  /** The groups' learning rates when the schedule was created. */
  baseLrs: number[];
  #lastLrs: number[] = [];

  constructor(protected readonly optimizer: SchedulableOptimizer) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate of group `group` at step `step`. */
  protected abstract lrAt(step: number, group: number): number;

  /** Writes the learning rates of `lastStep` into the optimizer's groups. */
  protected apply(): void {
    this.#lastLrs = this.optimizer.paramGroups.map((g, i) => (g.lr = this.lrAt(this.lastStep, i)));
  }

  /** Moves to the next step (call after optimizer.step()). @example opt.step(); schedule.step(); */
  step(): void {
    this.lastStep += 1;
    this.apply();
  }

  /** The learning rates this schedule last set, one per group (torch's get_last_lr()). @example schedule.getLr()[0] */
  getLr(): number[] {
    return [...this.#lastLrs];
  }

  /** The schedule's position and base rates (JSON-able). @example JSON.stringify(schedule.stateDict()) */
  stateDict(): SchedulerStateDict {
    return { lastStep: this.lastStep, baseLrs: [...this.baseLrs] };
  }

  /** Restores a stateDict() and sets the learning rates of that step. @example schedule.loadStateDict(saved) */
  loadStateDict(state: SchedulerStateDict): void {
    const groups = this.optimizer.paramGroups.length;
    if (!Number.isInteger(state.lastStep) || state.lastStep < 0) throw new ConfigError(this.constructor.name, 'lastStep', 'an integer >= 0', String(state.lastStep));
    if (state.baseLrs.length !== groups) throw new ConfigError(this.constructor.name, 'baseLrs', `${groups} learning rates (one per group)`, String(state.baseLrs.length));
    this.lastStep = state.lastStep;
    this.baseLrs = [...state.baseLrs];
    this.apply();
  }
}

/** A multiplier of the base learning rate as a function of the step. */
export type LrLambda = (step: number) => number;

/**
 * lr = baseLr · lambda(step), one lambda for all groups or one per group (torch's LambdaLR).
 * @example new LambdaLR(opt, (step) => 0.95 ** step)
 */
export class LambdaLR extends LRScheduler {
  readonly #lambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, lrLambda: LrLambda | readonly LrLambda[]) {
    super(optimizer);
    const groups = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda) && lrLambda.length !== groups) {
      throw new ConfigError('LambdaLR', 'lrLambda', `one function or ${groups} (one per group)`, `${lrLambda.length} functions`);
    }
    this.#lambdas = Array.isArray(lrLambda) ? [...lrLambda] : Array.from({ length: groups }, () => lrLambda as LrLambda);
    this.apply();
  }

  protected lrAt(step: number, group: number): number {
    return this.baseLrs[group] * this.#lambdas[group](step);
  }
}

export interface LinearWarmupCosineOptions {
  /** Steps of linear warm-up: step s < warmupSteps has factor (s + 1) / warmupSteps. */
  readonly warmupSteps: number;
  /** The step at which the cosine reaches its minimum (and stays there). */
  readonly totalSteps: number;
  /** The final learning rate as a fraction of the base one (default 0). */
  readonly minLrRatio?: number;
}

/**
 * The factor of llm.c's schedule: (s + 1)/W during warm-up, then a half cosine from 1 down to
 * minLrRatio at totalSteps, minLrRatio afterwards.
 * @example warmupCosineFactor(0, { warmupSteps: 10, totalSteps: 100 }) // 0.1
 */
export function warmupCosineFactor(step: number, options: LinearWarmupCosineOptions): number {
  const { warmupSteps, totalSteps, minLrRatio = 0 } = options;
  if (step < warmupSteps) return (step + 1) / warmupSteps;
  if (step >= totalSteps) return minLrRatio;
  const decayRatio = (step - warmupSteps) / (totalSteps - warmupSteps);
  return minLrRatio + 0.5 * (1 + Math.cos(Math.PI * decayRatio)) * (1 - minLrRatio);
}

/**
 * Linear warm-up then cosine decay to minLrRatio · baseLr (llm.c train_gpt2; nanoGPT's get_lr).
 * @example const schedule = new LinearWarmupCosine(opt, { warmupSteps: 700, totalSteps: 5000, minLrRatio: 0.1 });
 */
export class LinearWarmupCosine extends LambdaLR {
  constructor(optimizer: SchedulableOptimizer, options: LinearWarmupCosineOptions) {
    const { warmupSteps, totalSteps, minLrRatio = 0 } = options;
    if (!Number.isInteger(warmupSteps) || warmupSteps < 0) throw new ConfigError('LinearWarmupCosine', 'warmupSteps', 'an integer >= 0', String(warmupSteps));
    if (!Number.isInteger(totalSteps) || totalSteps < warmupSteps) throw new ConfigError('LinearWarmupCosine', 'totalSteps', `an integer >= warmupSteps (${warmupSteps})`, String(totalSteps));
    if (!(minLrRatio >= 0 && minLrRatio <= 1)) throw new ConfigError('LinearWarmupCosine', 'minLrRatio', 'a number in [0, 1]', String(minLrRatio));
    super(optimizer, (step) => warmupCosineFactor(step, { warmupSteps, totalSteps, minLrRatio }));
  }
}

export interface OneCycleLinearOptions {
  /** The peak learning rate, one for all groups or one per group. */
  readonly maxLr: number | readonly number[];
  /** Steps in the cycle; stepping past it throws, as in PyTorch. */
  readonly totalSteps: number;
  /** Fraction of the cycle spent rising (default 0.3; the LRA scripts use warmup / steps). */
  readonly pctStart?: number;
  /** initial lr = maxLr / divFactor (default 25). */
  readonly divFactor?: number;
  /** final lr = initial lr / finalDivFactor (default 1e4). */
  readonly finalDivFactor?: number;
  /** Cycle betas[0] (Adam) or momentum (SGD) inversely to the lr (default true, as in PyTorch). */
  readonly cycleMomentum?: boolean;
  /** Momentum at the peak lr (default 0.85). */
  readonly baseMomentum?: number;
  /** Momentum at the start and the end (default 0.95). */
  readonly maxMomentum?: number;
}

interface Phase {
  readonly endStep: number;
  readonly lr: readonly [number, number];
  readonly momentum: readonly [number, number];
}

/**
 * torch's OneCycleLR with linear annealing (two phases): lr rises linearly from maxLr/divFactor
 * to maxLr over pctStart·totalSteps − 1 steps, then falls linearly to
 * maxLr/(divFactor·finalDivFactor) at step totalSteps − 1; momentum moves the opposite way.
 * @example const schedule = new OneCycleLinear(opt, { maxLr: 1e-4, totalSteps: 5000, pctStart: 1000 / 5000 });
 */
export class OneCycleLinear extends LRScheduler {
  readonly totalSteps: number;
  readonly #phases: Phase[][];
  readonly #cycleMomentum: boolean;

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLinearOptions) {
    super(optimizer);
    const { maxLr, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4, cycleMomentum = true, baseMomentum = 0.85, maxMomentum = 0.95 } = options;
    const groups = optimizer.paramGroups.length;
    const maxLrs = typeof maxLr === 'number' ? Array.from({ length: groups }, () => maxLr) : [...maxLr];
    if (maxLrs.length !== groups || !maxLrs.every((lr) => lr > 0)) throw new ConfigError('OneCycleLinear', 'maxLr', `a number > 0 or ${groups} of them (one per group)`, JSON.stringify(maxLr));
    if (!Number.isInteger(totalSteps) || totalSteps < 1) throw new ConfigError('OneCycleLinear', 'totalSteps', 'an integer >= 1', String(totalSteps));
    if (!(pctStart >= 0 && pctStart <= 1)) throw new ConfigError('OneCycleLinear', 'pctStart', 'a number in [0, 1]', String(pctStart));
    if (!(divFactor > 0) || !(finalDivFactor > 0)) throw new ConfigError('OneCycleLinear', 'divFactor, finalDivFactor', 'numbers > 0', `${divFactor}, ${finalDivFactor}`);
    if (cycleMomentum && !optimizer.paramGroups.every((g) => g.betas !== undefined || g.momentum !== undefined)) {
      throw new ConfigError('OneCycleLinear', 'cycleMomentum', 'an optimizer with betas or momentum', 'neither', 'pass cycleMomentum: false.');
    }
    this.totalSteps = totalSteps;
    this.#cycleMomentum = cycleMomentum;
    this.#phases = maxLrs.map((peak) => {
      const initial = peak / divFactor;
      return [
        { endStep: pctStart * totalSteps - 1, lr: [initial, peak], momentum: [maxMomentum, baseMomentum] },
        { endStep: totalSteps - 1, lr: [peak, initial / finalDivFactor], momentum: [baseMomentum, maxMomentum] },
      ];
    });
    this.baseLrs = maxLrs.map((peak) => peak / divFactor);
    this.apply();
  }

  /** The phase containing `step` and the fraction of it done (torch's OneCycleLR.get_lr loop). */
  #locate(step: number, group: number): { phase: Phase; pct: number } {
    if (step > this.totalSteps) {
      throw new ConfigError('OneCycleLinear', 'step', `at most totalSteps (${this.totalSteps}) steps`, String(step));
    }
    const phases = this.#phases[group];
    const found = phases.findIndex((p) => step <= p.endStep);
    const index = found === -1 ? phases.length - 1 : found;
    const phase = phases[index];
    const start = index === 0 ? 0 : phases[index - 1].endStep;
    // NOTE: a phase of zero length (pctStart·totalSteps = 1) counts as done; PyTorch gives 0/0 = NaN.
    return { phase, pct: phase.endStep === start ? 1 : (step - start) / (phase.endStep - start) };
  }

  protected lrAt(step: number, group: number): number {
    const { phase: { lr: [from, to] }, pct } = this.#locate(step, group);
    return (to - from) * pct + from;
  }

  protected override apply(): void {
    super.apply();
    if (!this.#cycleMomentum) return;
    this.optimizer.paramGroups.forEach((g, i) => {
      const { phase: { momentum: [from, to] }, pct } = this.#locate(this.lastStep, i);
      const m = (to - from) * pct + from;
      if (g.betas !== undefined) g.betas = [m, g.betas[1]];
      else g.momentum = m;
    });
  }
}
