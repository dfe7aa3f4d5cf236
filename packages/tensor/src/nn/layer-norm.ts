// LayerNorm over the trailing `normalizedShape` dimensions (Ba et al. 2016) with
// torch.nn.LayerNorm's parameters: weight initialised to ones and bias to zeros.
import { ConfigError } from '../errors/index.js';
import { full } from '../ops/creation/creation.js';
import { layerNorm } from '../ops/layer-norm/layer-norm.js';
import type { Tensor } from '../tensor.js';
import type { InitOptions } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export interface LayerNormModuleOptions extends Omit<InitOptions, 'generator'> {
  /** Added to the variance (default 1e-5). */
  readonly eps?: number;
  /** Learn a per-element weight and bias (default true). */
  readonly elementwiseAffine?: boolean;
  /** Learn the bias (default true; only with elementwiseAffine). */
  readonly bias?: boolean;
}

/**
 * Layer normalisation over the last dimensions, with learned affine weight and bias.
 * @example const norm = new LayerNorm(512); norm.forward(x) // x (B, T, 512)
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormModuleOptions = {}) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype = 'f32', backend } = options;
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ConfigError('LayerNorm', 'normalizedShape', 'one or more non-negative integers', JSON.stringify(normalizedShape));
    }
    this.normalizedShape = shape;
    this.eps = eps;
    this.weight = elementwiseAffine ? new Parameter(full(shape, 1, dtype, backend)) : null;
    this.bias = elementwiseAffine && bias ? new Parameter(full(shape, 0, dtype, backend)) : null;
  }

  /** Normalises x (..., *normalizedShape). @example norm.forward(x) */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, { eps: this.eps, normalizedAxes: this.normalizedShape.length });
  }
}
