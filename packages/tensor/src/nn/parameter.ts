// Parameter: a leaf Tensor that a Module owns and an optimizer updates (torch.nn.Parameter).
// It takes over the storage of the tensor it wraps, requires gradients by default, and belongs
// to no tidy() scope: the module frees it in dispose().
import { Tensor } from '../tensor.js';

const parameterMarker = Symbol.for('@longshort/tensor.Parameter');

/**
 * A trainable tensor. `new Parameter(t)` consumes `t` (its storage moves into the parameter) and
 * cuts it from any autograd graph. Module fields holding a Parameter are its parameters, also
 * when frozen with `requireGrad(false)`.
 * @example this.bias = new Parameter(zeros([vocabSize]));
 */
export class Parameter extends Tensor {
  readonly [parameterMarker] = true;

  constructor(data: Tensor, requiresGrad = true) {
    data.assertAlive('Parameter');
    super(data.storage.retain(), data.shape, data.dtype, data.strides, data.offset, false);
    this.requiresGrad = requiresGrad;
    data.dispose();
  }

  /** True for a Parameter, also one created by another copy of this package. @example Parameter.isParameter(linear.weight) // true */
  static isParameter(value: unknown): value is Parameter {
    return Tensor.isTensor(value) && (value as unknown as Record<symbol, unknown>)[parameterMarker] === true;
  }
}

/**
 * Whether a module field value counts as a parameter: a Parameter, or a leaf tensor that
 * requires gradients (a plain `tensor(...).requireGrad()`).
 * @example isParameterLike(zeros([3]).requireGrad()) // true
 */
export function isParameterLike(value: unknown): value is Tensor {
  return Parameter.isParameter(value) || (Tensor.isTensor(value) && value.requiresGrad && value.gradNode === null);
}
