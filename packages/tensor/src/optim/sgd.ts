// SGD with torch.optim.SGD's exact update: d = g + wd·p; with momentum μ the buffer
// b ← μ·b + (1 − dampening)·d (b = d at the first step) and d = b, or d + μ·b with Nesterov;
// then p ← p − lr·d (Sutskever et al. 2013 for the momentum form).
import { ConfigError } from '../errors/index.js';
import { add, mul, sub } from '../ops/binary/binary.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, type OptimizerParams, type ParamUpdate } from './optimizer.js';

export interface SGDHyperparameters {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

export type SGDOptions = Partial<SGDHyperparameters>;

/** torch's SGD state name: `momentum_buffer` (only when momentum ≠ 0). */
export type SGDState = { momentum_buffer?: Tensor };

/**
 * Stochastic gradient descent with PyTorch's defaults (lr 1e-3, no momentum, no weight decay).
 * @example const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<SGDHyperparameters, SGDState> {
  constructor(params: OptimizerParams<SGDHyperparameters>, options: SGDOptions = {}) {
    super('SGD', params, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...options });
  }

  protected validate({ lr, momentum, dampening, weightDecay, nesterov }: SGDHyperparameters): void {
    if (!(lr >= 0)) throw new ConfigError('SGD', 'lr', 'a number >= 0', String(lr));
    if (!(momentum >= 0)) throw new ConfigError('SGD', 'momentum', 'a number >= 0', String(momentum));
    if (!Number.isFinite(dampening)) throw new ConfigError('SGD', 'dampening', 'a finite number', String(dampening));
    if (!(weightDecay >= 0)) throw new ConfigError('SGD', 'weightDecay', 'a number >= 0', String(weightDecay));
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new ConfigError('SGD', 'nesterov', 'momentum > 0 and dampening 0 with Nesterov momentum', `momentum ${momentum}, dampening ${dampening}`);
    }
  }

  protected update(param: Tensor, grad: Tensor, group: SGDHyperparameters, state: SGDState | undefined): ParamUpdate<SGDState> {
    const { lr, momentum, dampening, weightDecay, nesterov } = group;
    let direction = weightDecay !== 0 ? add(grad, mul(param, weightDecay)) : grad;
    if (momentum === 0) return { value: sub(param, mul(direction, lr)), state: {} };
    const previous = state?.momentum_buffer;
    // NOTE: the first buffer is d itself; detach() gives it its own tensor (sharing storage).
    const buffer = previous ? add(mul(previous, momentum), mul(direction, 1 - dampening)) : direction.detach();
    direction = nesterov ? add(direction, mul(buffer, momentum)) : buffer;
    return { value: sub(param, mul(direction, lr)), state: { momentum_buffer: buffer } };
  }
}
