// Front-end checks shared by the fused attention ops (architecture B.7: validation lives in the
// front end, kernels trust their inputs): shapes against a pattern, one float dtype throughout.
import { DTypeError, ShapeError, formatShape, type Tensor } from '@longshort/tensor';

/**
 * Checks that `t` has rank `expected.length` and the given sizes (null = any); `pattern` names
 * the axes for the message, e.g. '(B, H, n, d)'.
 */
export function requireShape(op: string, argument: string, t: Tensor, expected: readonly (number | null)[], pattern: string): void {
  const ok = t.rank === expected.length && expected.every((size, axis) => size === null || t.shape[axis] === size);
  if (!ok) {
    const sizes = expected.map((size) => (size === null ? '·' : String(size))).join(', ');
    throw new ShapeError('SHAPE_MISMATCH', op, argument, 'has the wrong shape', `${pattern} = (${sizes})`, formatShape(t.shape));
  }
}

/** Checks that every tensor is f32 or f64 and that all share the first one's dtype. */
export function requireFloatDType(op: string, tensors: readonly [string, Tensor][]): void {
  const [firstName, first] = tensors[0];
  if (first.dtype !== 'f32' && first.dtype !== 'f64') throw new DTypeError('DTYPE_UNSUPPORTED', op, firstName, 'f32 | f64', first.dtype);
  for (const [name, t] of tensors) {
    if (t.dtype !== first.dtype) throw new DTypeError('DTYPE_MISMATCH', op, name, `the dtype of '${firstName}' (${first.dtype})`, t.dtype);
  }
}
