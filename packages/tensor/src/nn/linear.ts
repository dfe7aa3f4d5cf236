// Linear: y = x · Wᵀ + b with torch.nn.Linear's layout (weight (out, in), bias (out)) and its
// default initialisation (reset_parameters: kaiming_uniform_(a = √5), bias U(±1/√in)).
import { ConfigError } from '../errors/index.js';
import { linear } from '../ops/linear/linear.js';
import type { Tensor } from '../tensor.js';
import { kaimingUniform, linearDefault, type InitOptions } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export interface LinearOptions extends InitOptions {
  /** Whether to add a learned bias (default true). */
  readonly bias?: boolean;
}

/** Rejects a feature count that is not a non-negative integer (shared by the layers). */
export function assertFeatures(module: string, key: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(module, key, 'a non-negative integer', String(value));
}

/**
 * A fully connected layer over the last dimension: (..., in) → (..., out).
 * @example const proj = new Linear(512, 2048, { generator: new Generator(0) }); proj.forward(x)
 */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    assertFeatures('Linear', 'inFeatures', inFeatures);
    assertFeatures('Linear', 'outFeatures', outFeatures);
    const { bias = true, ...init } = options;
    if (bias) {
      const drawn = linearDefault(outFeatures, inFeatures, init);
      this.weight = new Parameter(drawn.weight);
      this.bias = new Parameter(drawn.bias);
    } else {
      this.weight = new Parameter(kaimingUniform([outFeatures, inFeatures], { ...init, a: Math.sqrt(5) }));
      this.bias = null;
    }
  }

  /** x (..., in) → (..., out). @example linearLayer.forward(x) */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
