// Tensors as files hold them: a dtype tag (the safetensors names, see
// https://github.com/huggingface/safetensors#format), a shape, and little-endian, contiguous,
// row-major bytes. decodeRaw / encodeRaw convert between those bytes and the typed arrays the
// library computes with.

import { FileFormatError, TensorError } from '../errors/index.js';
import { f16BitsToF32, f32ToF16Bits, f8E4M3BitsToF32, f8E5M2BitsToF32 } from './float-bits.js';

/** Every dtype a safetensors file can name. */
export type FileDType =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8'
  | 'U8' | 'BOOL' | 'U16' | 'U32' | 'U64'
  | 'F8_E4M3' | 'F8_E5M2';

/** Bytes per element of each file dtype. */
export const FILE_DTYPE_SIZES: Readonly<Record<FileDType, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2,
  I64: 8, I32: 4, I16: 2, I8: 1,
  U8: 1, BOOL: 1, U16: 2, U32: 4, U64: 8,
  F8_E4M3: 1, F8_E5M2: 1,
};

/** A tensor as stored in a file: little-endian, contiguous, row-major `bytes` of `shape` elements. */
export interface RawTensor {
  dtype: FileDType;
  shape: number[];
  bytes: Uint8Array;
}

/** The dtypes decodeRaw produces. */
export type DecodedDType = 'f32' | 'f64' | 'i32' | 'bool';

/** Decoded tensor data; `bool` data is a Uint8Array of 0s and 1s. */
export interface DecodedTensor {
  dtype: DecodedDType;
  data: Float32Array | Float64Array | Int32Array | Uint8Array;
}

export interface DecodeOptions {
  /** Keep F64 data as Float64Array instead of rounding it to f32. Default false. */
  keepF64?: boolean;
  /** The tensor's name, quoted in error messages. */
  name?: string;
}

/** The dtypes encodeRaw writes; `f16` data is given as Uint16Array bits, or as numbers to round. */
export type EncodeDType = 'f32' | 'f64' | 'i32' | 'bool' | 'f16';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const FORMAT = 'raw tensor';

/** Whether `value` is one of the FileDType names. */
export function isFileDType(value: unknown): value is FileDType {
  return typeof value === 'string' && Object.hasOwn(FILE_DTYPE_SIZES, value);
}

/** The element count of a shape (1 for a 0-dim shape). */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Decodes a raw tensor's bytes into a typed array: F16, BF16, F8_E4M3 and F8_E5M2 become f32; F64
 * becomes f32 unless `keepF64`; integer dtypes become i32; BOOL becomes `bool` (0/1 bytes).
 * The result never shares memory with `raw.bytes`.
 *
 * @throws FileFormatError `MALFORMED_FILE` when the byte count does not match the shape, or an
 *   integer value does not fit in int32; `UNSUPPORTED_FORMAT` for an unknown dtype.
 */
export function decodeRaw(raw: RawTensor, options: DecodeOptions = {}): DecodedTensor {
  const label = options.name === undefined ? `${raw.dtype} tensor` : `tensor "${options.name}" (${raw.dtype})`;
  if (!isFileDType(raw.dtype)) {
    throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `${label} has an unknown dtype; expected one of ${Object.keys(FILE_DTYPE_SIZES).join(', ')}, got ${JSON.stringify(raw.dtype)}.`);
  }
  const itemSize = FILE_DTYPE_SIZES[raw.dtype];
  const numel = numelOf(raw.shape);
  if (raw.bytes.length !== numel * itemSize) {
    throw new FileFormatError('MALFORMED_FILE', FORMAT, `${label} of shape [${raw.shape.join(', ')}] has the wrong byte count; expected ${numel * itemSize}, got ${raw.bytes.length}.`);
  }
  const bytes = raw.bytes;
  switch (raw.dtype) {
    case 'F32':
      return { dtype: 'f32', data: new Float32Array(alignedCopy(bytes, 4)) };
    case 'F64': {
      const data = new Float64Array(alignedCopy(bytes, 8));
      return options.keepF64 ? { dtype: 'f64', data } : { dtype: 'f32', data: Float32Array.from(data) };
    }
    case 'F16':
      return { dtype: 'f32', data: lookup(new Uint16Array(alignedCopy(bytes, 2)), f16Table()) };
    case 'BF16': {
      const halves = new Uint16Array(alignedCopy(bytes, 2));
      const words = new Uint32Array(numel);
      for (let i = 0; i < numel; i++) words[i] = halves[i] << 16;
      return { dtype: 'f32', data: new Float32Array(words.buffer) };
    }
    case 'F8_E4M3':
      return { dtype: 'f32', data: lookup(bytes, f8Table('F8_E4M3')) };
    case 'F8_E5M2':
      return { dtype: 'f32', data: lookup(bytes, f8Table('F8_E5M2')) };
    case 'I32':
      return { dtype: 'i32', data: new Int32Array(alignedCopy(bytes, 4)) };
    case 'I16':
      return { dtype: 'i32', data: Int32Array.from(new Int16Array(alignedCopy(bytes, 2))) };
    case 'I8':
      return { dtype: 'i32', data: Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, numel)) };
    case 'U8':
      return { dtype: 'i32', data: Int32Array.from(bytes) };
    case 'U16':
      return { dtype: 'i32', data: Int32Array.from(new Uint16Array(alignedCopy(bytes, 2))) };
    case 'U32':
      return { dtype: 'i32', data: narrowU32(new Uint32Array(alignedCopy(bytes, 4)), label) };
    case 'I64':
    case 'U64':
      return { dtype: 'i32', data: narrow64(new Int32Array(alignedCopy(bytes, 8)), raw.dtype === 'I64', label) };
    case 'BOOL':
      return { dtype: 'bool', data: Uint8Array.from(bytes, (b) => (b === 0 ? 0 : 1)) };
  }
}

/**
 * Encodes typed-array data as a raw tensor (F32, F64, I32, BOOL or F16). For `f16`, a Uint16Array is
 * taken as the f16 bit patterns; any other data is rounded to f16. Values are converted to the
 * target type as typed arrays do (`bool`: non-zero → 1).
 *
 * @throws TensorError `BAD_ARGUMENT` when the shape is invalid or `data.length` does not match it.
 */
export function encodeRaw(dtype: EncodeDType, data: ArrayLike<number>, shape: readonly number[]): RawTensor {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new TensorError('BAD_ARGUMENT', 'encodeRaw', `encodeRaw: shape [${shape.join(', ')}] is invalid; expected non-negative integers, got ${d}.`);
    }
  }
  const numel = numelOf(shape);
  if (data.length !== numel) {
    throw new TensorError('BAD_ARGUMENT', 'encodeRaw', `encodeRaw: data length does not match shape [${shape.join(', ')}]; expected ${numel}, got ${data.length}.`);
  }
  const out = { shape: [...shape] };
  switch (dtype) {
    case 'f32':
      return { ...out, dtype: 'F32', bytes: littleEndianBytes(Float32Array.from(data)) };
    case 'f64':
      return { ...out, dtype: 'F64', bytes: littleEndianBytes(Float64Array.from(data)) };
    case 'i32':
      return { ...out, dtype: 'I32', bytes: littleEndianBytes(Int32Array.from(data)) };
    case 'bool':
      return { ...out, dtype: 'BOOL', bytes: Uint8Array.from(data, (v) => (v ? 1 : 0)) };
    case 'f16': {
      const bits = data instanceof Uint16Array ? Uint16Array.from(data) : Uint16Array.from(data, f32ToF16Bits);
      return { ...out, dtype: 'F16', bytes: littleEndianBytes(bits) };
    }
  }
}

/** A fresh, aligned copy of little-endian `bytes` in host byte order. */
function alignedCopy(bytes: Uint8Array, itemSize: number): ArrayBuffer {
  const copy = new Uint8Array(bytes);
  if (!LITTLE_ENDIAN_HOST) swapBytes(copy, itemSize);
  return copy.buffer;
}

/** The bytes of a host-order typed array, in little-endian order. */
function littleEndianBytes(array: Float32Array | Float64Array | Int32Array | Uint16Array): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (!LITTLE_ENDIAN_HOST) swapBytes(bytes, array.BYTES_PER_ELEMENT);
  return bytes;
}

function swapBytes(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i < bytes.length; i += itemSize) bytes.subarray(i, i + itemSize).reverse();
}

function lookup(codes: Uint8Array | Uint16Array, table: Float32Array): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]];
  return out;
}

let f16Values: Float32Array | undefined;
function f16Table(): Float32Array {
  f16Values ??= Float32Array.from({ length: 65536 }, (_, bits) => f16BitsToF32(bits));
  return f16Values;
}

const f8Values = new Map<'F8_E4M3' | 'F8_E5M2', Float32Array>();
function f8Table(dtype: 'F8_E4M3' | 'F8_E5M2'): Float32Array {
  let table = f8Values.get(dtype);
  if (table === undefined) {
    table = Float32Array.from({ length: 256 }, (_, bits) => (dtype === 'F8_E4M3' ? f8E4M3BitsToF32(bits) : f8E5M2BitsToF32(bits)));
    f8Values.set(dtype, table);
  }
  return table;
}

function narrowU32(values: Uint32Array, label: string): Int32Array {
  for (let i = 0; i < values.length; i++) {
    if (values[i] > 0x7fffffff) throw int32Overflow(label, i, BigInt(values[i]));
  }
  return new Int32Array(values.buffer);
}

/** Narrows (lo, hi) int32 word pairs of 64-bit integers to int32, checking every value fits. */
function narrow64(words: Int32Array, signed: boolean, label: string): Int32Array {
  const out = new Int32Array(words.length / 2);
  for (let i = 0; i < out.length; i++) {
    const lo = words[2 * i];
    const hi = words[2 * i + 1];
    if (hi !== (signed ? lo >> 31 : 0) || (!signed && lo < 0)) {
      const value = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      throw int32Overflow(label, i, signed ? BigInt.asIntN(64, value) : value);
    }
    out[i] = lo;
  }
  return out;
}

function int32Overflow(label: string, index: number, value: bigint): FileFormatError {
  return new FileFormatError('MALFORMED_FILE', FORMAT, `${label} element ${index} does not fit in int32; expected a value in [-2147483648, 2147483647], got ${value}.`);
}
