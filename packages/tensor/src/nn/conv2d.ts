// Conv2d: 2-D convolution over NCHW images with torch.nn.Conv2d's parameters (weight
// (out, in/groups, kH, kW), bias (out)) and default initialisation (reset_parameters:
// kaiming_uniform_(a = √5) for the weight, U(±1/√fanIn) for the bias, fanIn = in/groups·kH·kW).
import { ConfigError } from '../errors/index.js';
import { conv2d, type Conv2dOptions } from '../ops/conv2d/conv2d.js';
import { randomUniform } from '../random/random.js';
import type { Tensor } from '../tensor.js';
import { kaimingUniform, type InitOptions } from './init.js';
import { assertFeatures } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export interface Conv2dModuleOptions extends Conv2dOptions, InitOptions {
  /** Whether to add a learned bias per output channel (default true). */
  readonly bias?: boolean;
}

/**
 * A 2-D convolution layer: (N, in, H, W) → (N, out, Ho, Wo).
 * @example const patchEmbed = new Conv2d(3, 96, 4, { stride: 4 }); patchEmbed.forward(images)
 */
export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: readonly [number, number];
  readonly #geometry: Conv2dOptions;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: number | readonly [number, number], options: Conv2dModuleOptions = {}) {
    super();
    const { bias = true, stride = 1, padding = 0, dilation = 1, groups = 1, ...init } = options;
    assertFeatures('Conv2d', 'inChannels', inChannels);
    assertFeatures('Conv2d', 'outChannels', outChannels);
    const [kH, kW] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    if (![kH, kW].every((k) => Number.isInteger(k) && k >= 1)) throw new ConfigError('Conv2d', 'kernelSize', 'a positive integer or a pair [kH, kW] of them', JSON.stringify(kernelSize));
    if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new ConfigError('Conv2d', 'groups', `a positive integer dividing inChannels (${inChannels}) and outChannels (${outChannels})`, String(groups));
    }
    this.kernelSize = [kH, kW];
    this.#geometry = { stride, padding, dilation, groups };
    this.weight = new Parameter(kaimingUniform([outChannels, inChannels / groups, kH, kW], { ...init, a: Math.sqrt(5) }));
    const fanIn = (inChannels / groups) * kH * kW;
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    this.bias = bias ? new Parameter(randomUniform([outChannels], { ...init, low: -bound, high: bound })) : null;
  }

  /** x (N, in, H, W) → (N, out, Ho, Wo). @example conv.forward(images) */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.#geometry);
  }
}
