// Creation: tensors from host values (uploaded with one backend write) and constant fills.
import { getBackend } from '../../backend/registry.js';
import type { Backend } from '../../backend/spec.js';
import { arrayFor, type AnyTypedArray, type DType } from '../../dtype.js';
import { ShapeError, formatShape } from '../../errors/index.js';
import { assertValidShape, sizeOf } from '../../shape.js';
import { Storage } from '../../storage.js';
import { Tensor } from '../../tensor.js';

export type NestedArray = number | boolean | readonly NestedArray[];

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as NestedArray;
  }
  return shape;
}

function flatten(values: NestedArray, out: number[]): void {
  if (Array.isArray(values)) for (const v of values) flatten(v as NestedArray, out);
  else out.push(Number(values));
}

/** Wraps host values of the right length as a tensor on `backend` (one upload). */
export function fromArray(values: AnyTypedArray | readonly number[], shape: readonly number[], dtype: DType = 'f32', backend: Backend = getBackend()): Tensor {
  assertValidShape(shape, 'tensor');
  const size = sizeOf(shape);
  if (values.length !== size) {
    throw new ShapeError('SHAPE_MISMATCH', 'tensor', 'values', 'do not fill the shape', `${size} values for shape ${formatShape(shape)}`, `${values.length}`);
  }
  const storage = Storage.allocate(backend, dtype, size);
  const host = arrayFor(dtype, size);
  host.set(values as ArrayLike<number>);
  backend.write(storage.data, host);
  return new Tensor(storage, [...shape], dtype);
}

/**
 * A tensor from (nested) numbers or a typed array. The shape defaults to the nesting.
 * @example tensor([[1, 2], [3, 4]]) // f32, shape (2,2)
 */
export function tensor(values: NestedArray | AnyTypedArray, shape?: readonly number[], dtype?: DType, backend?: Backend): Tensor {
  if (ArrayBuffer.isView(values)) {
    const inferred: DType = values instanceof Float64Array ? 'f64' : values instanceof Int32Array ? 'i32' : values instanceof Uint8Array ? 'bool' : 'f32';
    return fromArray(values, shape ?? [values.length], dtype ?? inferred, backend);
  }
  const flat: number[] = [];
  flatten(values as NestedArray, flat);
  return fromArray(flat, shape ?? inferShape(values as NestedArray), dtype ?? 'f32', backend);
}

/** A rank-0 tensor. @example scalar(2) */
export function scalar(value: number, dtype: DType = 'f32', backend?: Backend): Tensor {
  return fromArray([value], [], dtype, backend);
}

/** A tensor filled with `value`. @example full([2, 3], 7) */
export function full(shape: readonly number[], value: number, dtype: DType = 'f32', backend: Backend = getBackend()): Tensor {
  assertValidShape(shape, 'full');
  const host = arrayFor(dtype, sizeOf(shape));
  host.fill(value);
  return fromArray(host, shape, dtype, backend);
}

/** Zeros. @example zeros([2, 2]) */
export const zeros = (shape: readonly number[], dtype: DType = 'f32', backend?: Backend) => full(shape, 0, dtype, backend);
/** Ones. @example ones([3]) */
export const ones = (shape: readonly number[], dtype: DType = 'f32', backend?: Backend) => full(shape, 1, dtype, backend);
/** Zeros shaped, typed and placed like `t`. */
export const zerosLike = (t: Tensor) => full(t.shape, 0, t.dtype, t.backend);
/** Ones shaped, typed and placed like `t`. */
export const onesLike = (t: Tensor) => full(t.shape, 1, t.dtype, t.backend);
/** `value` shaped, typed and placed like `t`. */
export const fullLike = (t: Tensor, value: number) => full(t.shape, value, t.dtype, t.backend);

/** start, start+step, … below end. @example arange(0, 5) // [0,1,2,3,4] */
export function arange(start: number, end?: number, step = 1, dtype: DType = 'i32', backend?: Backend): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step)) {
    throw new ShapeError('BAD_RESHAPE', 'arange', 'step', 'is invalid', 'a finite non-zero number', String(step));
  }
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const host = arrayFor(dtype, n);
  for (let i = 0; i < n; i++) host[i] = lo + i * step;
  return fromArray(host, [n], dtype, backend);
}
