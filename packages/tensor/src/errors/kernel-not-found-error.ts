import { TensorError } from './tensor-error.js';

/** No kernel and no decomposition exist for an op on a backend. */
export class KernelNotFoundError extends TensorError {
  readonly backend: string;
  readonly availableOn: string[];

  constructor(op: string, backend: string, availableOn: string[]) {
    super('KERNEL_NOT_FOUND', op, `${op}: no kernel on backend '${backend}' and no decomposition; available on ${availableOn.length ? availableOn.join(', ') : 'no registered backend'}.`);
    this.name = 'KernelNotFoundError';
    this.backend = backend;
    this.availableOn = availableOn;
  }
}
