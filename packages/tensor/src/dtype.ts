// Data types: f32 (default), i32, bool (stored as u8), f64 (CPU reference, gradient checks),
// f16 (storage only, where a backend supports it). Promotion follows PyTorch's category rule.

export type DType = 'f32' | 'f64' | 'f16' | 'i32' | 'bool';
export type FloatDType = 'f32' | 'f64' | 'f16';

export type TypedArrayFor<D extends DType> = D extends 'f32' ? Float32Array
  : D extends 'f64' ? Float64Array
  : D extends 'f16' ? Uint16Array
  : D extends 'i32' ? Int32Array
  : Uint8Array;

export type AnyTypedArray = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array;

export const dtypes: readonly DType[] = ['f32', 'f64', 'f16', 'i32', 'bool'];

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'f32' || dtype === 'f64' || dtype === 'f16';
}

export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case 'f64': return 8;
    case 'f32': case 'i32': return 4;
    case 'f16': return 2;
    case 'bool': return 1;
  }
}

/** The typed array that holds `dtype` in host memory (f16 holds raw half bits). */
export function arrayFor(dtype: DType, size: number): AnyTypedArray {
  switch (dtype) {
    case 'f64': return new Float64Array(size);
    case 'f32': return new Float32Array(size);
    case 'f16': return new Uint16Array(size);
    case 'i32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
  }
}

const rank: Record<DType, number> = { bool: 0, i32: 1, f16: 2, f32: 3, f64: 4 };

/**
 * The result dtype of a binary op: the higher of the two in bool < i32 < f16 < f32 < f64.
 * The table is closed and symmetric (property-tested).
 */
export function promoteTypes(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}
