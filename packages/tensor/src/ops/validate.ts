// Front-end validation helpers shared by the ops (architecture guide B.7: validation lives in the
// op front end; kernels trust their inputs).
import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import { DTypeError } from '../errors/index.js';
import type { Tensor } from '../tensor.js';

export function assertFloat(op: string, argument: string, t: Tensor): void {
  if (!isFloat(t.dtype)) throw new DTypeError('DTYPE_UNSUPPORTED', op, argument, 'a float tensor (f32 | f64 | f16)', t.dtype);
}

export function assertDType(op: string, argument: string, t: Tensor, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) throw new DTypeError('DTYPE_UNSUPPORTED', op, argument, allowed.join(' | '), t.dtype);
}

export function assertSameDType(op: string, a: Tensor, b: Tensor, names: [string, string] = ['a', 'b']): void {
  if (a.dtype !== b.dtype) throw new DTypeError('DTYPE_MISMATCH', op, names[1], `the dtype of '${names[0]}' (${a.dtype})`, b.dtype);
}
