// Base class of every typed error in longshort (architecture guide B.7). The symbol marker keeps
// `TensorError.isInstance` working when two copies of the package are loaded (vercel/ai's AISDKError).

const marker = Symbol.for('@longshort/tensor.error');

export type TensorErrorCode =
  | 'SHAPE_MISMATCH' | 'BAD_AXIS' | 'BAD_RESHAPE' | 'NOT_BROADCASTABLE'
  | 'DTYPE_MISMATCH' | 'DTYPE_UNSUPPORTED'
  | 'KERNEL_NOT_FOUND'
  | 'DEVICE_LOST' | 'VALIDATION' | 'OUT_OF_MEMORY' | 'SYNC_READ_UNSUPPORTED' | 'BACKEND_MISMATCH' | 'NO_BACKEND'
  | 'NO_ADAPTER' | 'MISSING_FEATURE' | 'LIMIT_TOO_LOW'
  | 'DISPOSED'
  | 'BAD_CONFIG' | 'BAD_ARGUMENT'
  | 'MISSING_KEY' | 'UNEXPECTED_KEY' | 'WEIGHT_SHAPE'
  | 'MALFORMED_FILE' | 'UNSUPPORTED_FORMAT'
  | 'GRAD';

export class TensorError extends Error {
  readonly [marker] = true;
  readonly code: TensorErrorCode;
  /** The op, module or format the error came from. */
  readonly op: string;

  constructor(code: TensorErrorCode, op: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TensorError';
    this.code = code;
    this.op = op;
  }

  static isInstance(error: unknown): error is TensorError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** Formats a shape as a tuple, as every message does: `(2,3,4)`. */
export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(',')}${shape.length === 1 ? ',' : ''})`;
}

/** Throws the error built by `make` when `condition` is false; the message is built lazily. */
export function check(condition: boolean, make: () => Error): asserts condition {
  if (!condition) throw make();
}
