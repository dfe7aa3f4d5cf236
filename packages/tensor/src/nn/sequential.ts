// Sequential (torch.nn.Sequential): modules applied one after the other, named 0, 1, ….
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import type { Module } from './module.js';
import { ModuleList } from './module-list.js';

/** A module with a one-tensor forward, as Sequential chains them. */
export interface UnaryModule extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * Modules applied one after the other; children are named 0, 1, … as in torch.nn.Sequential.
 * @example const mlp = new Sequential(new Linear(8, 32), new Dropout(0.1), new Linear(32, 8)); mlp.forward(x)
 */
export class Sequential extends ModuleList<UnaryModule> {
  constructor(...modules: UnaryModule[]) {
    super(modules);
  }

  /** Runs the modules in order (the intermediate outputs are freed). @example seq.forward(x) */
  forward(x: Tensor): Tensor {
    return tidy(() => this.modules.reduce((h, m) => m.forward(h), x));
  }
}
