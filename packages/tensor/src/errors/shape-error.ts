import { TensorError } from './tensor-error.js';

export type ShapeErrorCode = 'SHAPE_MISMATCH' | 'BAD_AXIS' | 'BAD_RESHAPE' | 'NOT_BROADCASTABLE';

/** A shape, axis or broadcast rule was violated. */
export class ShapeError extends TensorError {
  readonly argument: string;
  readonly expected: string;
  readonly actual: string;

  constructor(code: ShapeErrorCode, op: string, argument: string, problem: string, expected: string, actual: string, hint?: string) {
    super(code, op, `${op}: ${argument} ${problem}; expected ${expected}, got ${actual}.${hint ? `\nHint: ${hint}` : ''}`);
    this.name = 'ShapeError';
    this.argument = argument;
    this.expected = expected;
    this.actual = actual;
  }
}
