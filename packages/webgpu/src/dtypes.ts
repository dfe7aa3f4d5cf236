// How each dtype lives on the GPU: f32 and i32 as themselves, bool as u32 (0 or 1; WGSL has no
// 8-bit storage type), f16 as f16 where the adapter has 'shader-f16'. f64 has no WGSL type.
import type { AnyTypedArray, DType } from '@longshort/tensor';

/** The dtypes this backend stores on the GPU. */
export type GpuDType = Exclude<DType, 'f64'>;

/** The WGSL type of one element in storage. */
export function wgslType(dtype: GpuDType): 'f32' | 'i32' | 'u32' | 'f16' {
  switch (dtype) {
    case 'f32': return 'f32';
    case 'i32': return 'i32';
    case 'bool': return 'u32';
    case 'f16': return 'f16';
  }
}

/** The WGSL type kernels compute in: f16 is widened to f32, the others stay as they are. */
export function computeType(dtype: GpuDType): 'f32' | 'i32' | 'u32' {
  const t = wgslType(dtype);
  return t === 'f16' ? 'f32' : t;
}

/** Bytes one element takes on the GPU. */
export function gpuBytesPerElement(dtype: GpuDType): number {
  return dtype === 'f16' ? 2 : 4;
}

/** Bytes of `size` elements, rounded up to the 4-byte granularity of buffer copies. */
export function gpuByteLength(dtype: GpuDType, size: number): number {
  return Math.ceil((size * gpuBytesPerElement(dtype)) / 4) * 4;
}

/** Host values in the GPU's element format (bool bytes widened to u32), padded to 4 bytes. */
export function toGpuArray(dtype: GpuDType, values: AnyTypedArray): ArrayBufferView<ArrayBuffer> {
  const direct = values.buffer instanceof ArrayBuffer ? values as ArrayBufferView<ArrayBuffer> : null;
  switch (dtype) {
    case 'f32': return direct instanceof Float32Array ? direct : Float32Array.from(values);
    case 'i32': return direct instanceof Int32Array ? direct : Int32Array.from(values);
    case 'bool': return Uint32Array.from(values);
    case 'f16': {
      const padded = new Uint16Array(values.length + (values.length % 2));
      padded.set(values);
      return padded;
    }
  }
}

/** Host values of `dtype` from GPU bytes (u32 booleans narrowed to bytes, as the CPU stores them). */
export function fromGpuBytes(dtype: GpuDType, bytes: ArrayBuffer, size: number): AnyTypedArray {
  switch (dtype) {
    case 'f32': return new Float32Array(bytes.slice(0, size * 4));
    case 'i32': return new Int32Array(bytes.slice(0, size * 4));
    case 'bool': return Uint8Array.from(new Uint32Array(bytes, 0, size));
    case 'f16': return new Uint16Array(bytes.slice(0, size * 2));
  }
}
