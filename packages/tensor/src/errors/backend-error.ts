import { TensorError } from './tensor-error.js';

export type BackendErrorCode = 'DEVICE_LOST' | 'VALIDATION' | 'OUT_OF_MEMORY' | 'SYNC_READ_UNSUPPORTED' | 'BACKEND_MISMATCH' | 'NO_BACKEND';

/** A backend failed at run time, or tensors of two backends were mixed. */
export class BackendError extends TensorError {
  readonly backend: string;
  readonly kernel: string | undefined;

  constructor(code: BackendErrorCode, backend: string, message: string, options?: { kernel?: string; cause?: unknown }) {
    super(code, options?.kernel ?? backend, `${backend}: ${message}`, { cause: options?.cause });
    this.name = 'BackendError';
    this.backend = backend;
    this.kernel = options?.kernel;
  }
}
