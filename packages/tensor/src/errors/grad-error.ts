import { TensorError } from './tensor-error.js';

/** Autograd was used wrongly (backward of a non-scalar without a seed, a freed graph, …). */
export class GradError extends TensorError {
  constructor(op: string, message: string) {
    super('GRAD', op, `${op}: ${message}`);
    this.name = 'GradError';
  }
}
