// Dropout as a module (torch.nn.Dropout): inverted dropout while the module is training, the
// identity in eval mode.
import { ConfigError } from '../errors/index.js';
import { dropout } from '../ops/dropout/dropout.js';
import type { Generator } from '../random/generator.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

export interface DropoutModuleOptions {
  /** Source of the masks (default: defaultGenerator() at each call). */
  readonly generator?: Generator;
}

/**
 * Zeroes elements with probability `p` (scaling the rest by 1/(1 − p)) while `training`.
 * @example const drop = new Dropout(0.1); model.eval(); drop.forward(x) // x unchanged
 */
export class Dropout extends Module {
  readonly #generator: Generator | undefined;

  constructor(readonly p: number, options: DropoutModuleOptions = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ConfigError('Dropout', 'p', 'a probability in [0, 1]', String(p));
    this.#generator = options.generator;
  }

  /** @example drop.forward(x) */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, generator: this.#generator });
  }
}
