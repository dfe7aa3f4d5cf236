import { TensorError } from './tensor-error.js';

/** A tensor had a dtype the op or backend cannot take. */
export class DTypeError extends TensorError {
  readonly argument: string;
  readonly expected: string;
  readonly actual: string;
  readonly backend: string | undefined;

  constructor(code: 'DTYPE_MISMATCH' | 'DTYPE_UNSUPPORTED', op: string, argument: string, expected: string, actual: string, backend?: string) {
    super(code, op, `${op}: argument '${argument}' has an unsupported dtype${backend ? ` on backend '${backend}'` : ''}; expected ${expected}, got ${actual}.`);
    this.name = 'DTypeError';
    this.argument = argument;
    this.expected = expected;
    this.actual = actual;
    this.backend = backend;
  }
}
