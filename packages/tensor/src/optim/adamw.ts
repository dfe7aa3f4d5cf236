// AdamW (Loshchilov & Hutter 2019) with torch.optim.AdamW's exact update: decoupled weight decay
// p ← p·(1 − lr·wd), then Adam with bias correction (Kingma & Ba 2015), optionally AMSGrad:
//   m ← m + (1 − β1)(g − m),  v ← β2·v + (1 − β2)·g²,
//   p ← p − lr/(1 − β1ᵗ) · m / (√v̂ / √(1 − β2ᵗ) + eps),  v̂ = v (or max of all v with amsgrad).
// Each parameter's step is the fusable adamwUpdate op (adamw-update.ts).
import { ConfigError } from '../errors/index.js';
import { zerosLike } from '../ops/creation/creation.js';
import type { Tensor } from '../tensor.js';
import { adamwUpdate } from './adamw-update.js';
import { Optimizer, type OptimizerParams, type ParamUpdate } from './optimizer.js';

export interface AdamWHyperparameters {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

export type AdamWOptions = Partial<AdamWHyperparameters>;

/** torch's AdamW state names: `step`, `exp_avg`, `exp_avg_sq` and, with amsgrad, `max_exp_avg_sq`. */
export type AdamWState = { step: number; exp_avg: Tensor; exp_avg_sq: Tensor; max_exp_avg_sq?: Tensor };

/**
 * AdamW with PyTorch's defaults (lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 1e-2).
 * @example const opt = new AdamW(model.parameters(), { lr: 1e-4, weightDecay: 0.01, eps: 1e-6 });
 */
export class AdamW extends Optimizer<AdamWHyperparameters, AdamWState> {
  constructor(params: OptimizerParams<AdamWHyperparameters>, options: AdamWOptions = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, ...options });
  }

  protected validate({ lr, betas, eps, weightDecay, amsgrad }: AdamWHyperparameters): void {
    if (!(lr >= 0)) throw new ConfigError('AdamW', 'lr', 'a number >= 0', String(lr));
    if (!(eps >= 0)) throw new ConfigError('AdamW', 'eps', 'a number >= 0', String(eps));
    if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => b >= 0 && b < 1)) {
      throw new ConfigError('AdamW', 'betas', 'two numbers in [0, 1)', JSON.stringify(betas));
    }
    if (!(weightDecay >= 0)) throw new ConfigError('AdamW', 'weightDecay', 'a number >= 0', String(weightDecay));
    if (typeof amsgrad !== 'boolean') throw new ConfigError('AdamW', 'amsgrad', 'a boolean', String(amsgrad));
  }

  protected update(param: Tensor, grad: Tensor, group: AdamWHyperparameters, state: AdamWState | undefined): ParamUpdate<AdamWState> {
    const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad } = group;
    const step = (state?.step ?? 0) + 1;
    const moments = {
      expAvg: state?.exp_avg ?? zerosLike(param),
      expAvgSq: state?.exp_avg_sq ?? zerosLike(param),
      maxExpAvgSq: amsgrad ? state?.max_exp_avg_sq ?? zerosLike(param) : undefined,
    };
    const next = adamwUpdate(param, grad, moments, { lr, beta1, beta2, eps, weightDecay, step, amsgrad });
    const updated: AdamWState = { step, exp_avg: next.expAvg, exp_avg_sq: next.expAvgSq };
    if (next.maxExpAvgSq) updated.max_exp_avg_sq = next.maxExpAvgSq;
    return { value: next.param, state: updated };
  }
}
