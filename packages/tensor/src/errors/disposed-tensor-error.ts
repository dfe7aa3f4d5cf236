import { TensorError } from './tensor-error.js';

/** A tensor was used after `dispose()` (or after the scope that owned it ended). */
export class DisposedTensorError extends TensorError {
  constructor(op: string) {
    super('DISPOSED', op, `${op}: a tensor argument was already disposed; expected a live tensor, got a disposed one.\nHint: keep() it or return it from tidy() to use it after the scope ends.`);
    this.name = 'DisposedTensorError';
  }
}
