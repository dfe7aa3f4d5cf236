import { describe, expect, it } from 'vitest';
import { FileFormatError, TensorError } from '../errors/index.js';
import { decodeRaw, encodeRaw, FILE_DTYPE_SIZES, isFileDType, type FileDType, type RawTensor } from './raw-tensor.js';

/** A raw tensor of `dtype` whose little-endian bytes a DataView writer fills. */
function raw(dtype: FileDType, shape: number[], fill: (view: DataView) => void): RawTensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(count * FILE_DTYPE_SIZES[dtype]);
  fill(new DataView(bytes.buffer));
  return { dtype, shape, bytes };
}

describe('decodeRaw', () => {
  it('decodes float dtypes to f32, keeping F64 on request', () => {
    expect(decodeRaw(raw('F32', [2], (v) => { v.setFloat32(0, 1.5, true); v.setFloat32(4, -2, true); }))).toEqual({ dtype: 'f32', data: new Float32Array([1.5, -2]) });
    const f64 = raw('F64', [2], (v) => { v.setFloat64(0, 1 / 3, true); v.setFloat64(8, 1e300, true); });
    expect(decodeRaw(f64)).toEqual({ dtype: 'f32', data: new Float32Array([1 / 3, Infinity]) });
    expect(decodeRaw(f64, { keepF64: true })).toEqual({ dtype: 'f64', data: new Float64Array([1 / 3, 1e300]) });
    expect(decodeRaw(raw('F16', [3], (v) => { v.setUint16(0, 0x3c00, true); v.setUint16(2, 0x0001, true); v.setUint16(4, 0xfc00, true); })).data)
      .toEqual(new Float32Array([1, 2 ** -24, -Infinity]));
    expect(decodeRaw(raw('BF16', [2], (v) => { v.setUint16(0, 0x4049, true); v.setUint16(2, 0xbf80, true); })).data).toEqual(new Float32Array([3.140625, -1]));
    expect(decodeRaw(raw('F8_E4M3', [2], (v) => { v.setUint8(0, 0x7e); v.setUint8(1, 0xb8); })).data).toEqual(new Float32Array([448, -1]));
    expect(decodeRaw(raw('F8_E5M2', [2], (v) => { v.setUint8(0, 0x7b); v.setUint8(1, 0x7c); })).data).toEqual(new Float32Array([57344, Infinity]));
  });

  it('decodes integer dtypes to i32 and BOOL to bool', () => {
    const i32 = (data: RawTensor) => {
      const decoded = decodeRaw(data);
      expect(decoded.dtype).toBe('i32');
      return [...decoded.data];
    };
    expect(i32(raw('I64', [3], (v) => { v.setBigInt64(0, -5n, true); v.setBigInt64(8, 2147483647n, true); v.setBigInt64(16, -2147483648n, true); }))).toEqual([-5, 2147483647, -2147483648]);
    expect(i32(raw('U64', [2], (v) => { v.setBigUint64(0, 7n, true); v.setBigUint64(8, 2147483647n, true); }))).toEqual([7, 2147483647]);
    expect(i32(raw('U32', [2], (v) => { v.setUint32(0, 9, true); v.setUint32(4, 2147483647, true); }))).toEqual([9, 2147483647]);
    expect(i32(raw('I32', [1], (v) => v.setInt32(0, -9, true)))).toEqual([-9]);
    expect(i32(raw('I16', [2], (v) => { v.setInt16(0, -32768, true); v.setInt16(2, 32767, true); }))).toEqual([-32768, 32767]);
    expect(i32(raw('U16', [1], (v) => v.setUint16(0, 65535, true)))).toEqual([65535]);
    expect(i32(raw('I8', [2], (v) => { v.setInt8(0, -128); v.setInt8(1, 127); }))).toEqual([-128, 127]);
    expect(i32(raw('U8', [2], (v) => { v.setUint8(0, 0); v.setUint8(1, 255); }))).toEqual([0, 255]);
    expect(decodeRaw(raw('BOOL', [3], (v) => { v.setUint8(0, 1); v.setUint8(2, 7); }))).toEqual({ dtype: 'bool', data: new Uint8Array([1, 0, 1]) });
  });

  it('rejects integers outside int32 with the value in the message', () => {
    const cases: RawTensor[] = [
      raw('I64', [2], (v) => v.setBigInt64(8, 2n ** 31n, true)),
      raw('I64', [1], (v) => v.setBigInt64(0, -(2n ** 31n) - 1n, true)),
      raw('I64', [1], (v) => v.setBigInt64(0, -(2n ** 40n), true)),
      raw('U64', [1], (v) => v.setBigUint64(0, 2n ** 63n, true)),
      raw('U64', [1], (v) => v.setBigUint64(0, 2n ** 31n, true)),
      raw('U32', [1], (v) => v.setUint32(0, 2 ** 31, true)),
    ];
    for (const tensor of cases) expect(() => decodeRaw(tensor, { name: 'x' })).toThrow(FileFormatError);
    expect(() => decodeRaw(cases[2], { name: 'x' })).toThrow('tensor "x" (I64) element 0 does not fit in int32; expected a value in [-2147483648, 2147483647], got -1099511627776.');
    expect(() => decodeRaw(cases[3])).toThrow('got 9223372036854775808.');
  });

  it('decodes unaligned views and never shares memory with them', () => {
    const buffer = new Uint8Array(9);
    new DataView(buffer.buffer).setFloat64(1, 2.5, true);
    const view = buffer.subarray(1);
    const decoded = decodeRaw({ dtype: 'F64', shape: [], bytes: view }, { keepF64: true });
    expect(decoded.data).toEqual(new Float64Array([2.5]));
    view.fill(0);
    expect(decoded.data[0]).toBe(2.5);
    const u8 = decodeRaw({ dtype: 'BOOL', shape: [1], bytes: view.subarray(0, 1) });
    expect(u8.data.buffer).not.toBe(buffer.buffer);
  });

  it('decodes zero-sized tensors', () => {
    for (const dtype of Object.keys(FILE_DTYPE_SIZES) as FileDType[]) {
      expect(decodeRaw({ dtype, shape: [0, 3], bytes: new Uint8Array(0) }).data.length).toBe(0);
    }
  });

  it('rejects byte counts that do not match the shape, and unknown dtypes', () => {
    expect(() => decodeRaw({ dtype: 'F32', shape: [2, 2], bytes: new Uint8Array(12) })).toThrow('F32 tensor of shape [2, 2] has the wrong byte count; expected 16, got 12.');
    const error = (() => {
      try {
        decodeRaw({ dtype: 'Q4' as FileDType, shape: [1], bytes: new Uint8Array(1) });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(FileFormatError);
    expect((error as FileFormatError).code).toBe('UNSUPPORTED_FORMAT');
  });
});

describe('encodeRaw', () => {
  it('round-trips through decodeRaw for every encodable dtype, zero-sized included', () => {
    expect(decodeRaw(encodeRaw('f32', new Float32Array([1.5, -0, Infinity]), [3])).data).toEqual(new Float32Array([1.5, -0, Infinity]));
    expect(decodeRaw(encodeRaw('f64', [1 / 3, 1e-300], [2, 1]), { keepF64: true }).data).toEqual(new Float64Array([1 / 3, 1e-300]));
    expect(decodeRaw(encodeRaw('i32', new Int32Array([-(2 ** 31), 5]), [2])).data).toEqual(new Int32Array([-(2 ** 31), 5]));
    expect(decodeRaw(encodeRaw('bool', new Uint8Array([0, 3, 1]), [3])).data).toEqual(new Uint8Array([0, 1, 1]));
    expect(decodeRaw(encodeRaw('f16', new Uint16Array([0x3c00, 0x7bff]), [2])).data).toEqual(new Float32Array([1, 65504]));
    expect(decodeRaw(encodeRaw('f16', new Float32Array([1 / 3, 1e6]), [2])).data).toEqual(new Float32Array([0.333251953125, Infinity]));
    for (const dtype of ['f32', 'f64', 'i32', 'bool', 'f16'] as const) {
      const encoded = encodeRaw(dtype, [], [4, 0]);
      expect(encoded.shape).toEqual([4, 0]);
      expect(encoded.bytes.length).toBe(0);
    }
    expect(encodeRaw('f32', [7], []).bytes).toEqual(new Uint8Array(new Float32Array([7]).buffer));
  });

  it('writes little-endian bytes with the file dtype names', () => {
    const encoded = encodeRaw('i32', [1, 256], [2]);
    expect(encoded.dtype).toBe('I32');
    expect([...encoded.bytes]).toEqual([1, 0, 0, 0, 0, 1, 0, 0]);
    expect(encodeRaw('f16', new Uint16Array([0x3c00]), [1]).bytes).toEqual(new Uint8Array([0x00, 0x3c]));
  });

  it('rejects data that does not match the shape', () => {
    expect(() => encodeRaw('f32', [1, 2, 3], [2, 2])).toThrow(TensorError);
    expect(() => encodeRaw('f32', [1, 2, 3], [2, 2])).toThrow('encodeRaw: data length does not match shape [2, 2]; expected 4, got 3.');
    expect(() => encodeRaw('f32', [1], [-1])).toThrow('expected non-negative integers, got -1.');
  });
});

describe('isFileDType', () => {
  it('accepts exactly the safetensors dtype names', () => {
    expect(Object.keys(FILE_DTYPE_SIZES).every(isFileDType)).toBe(true);
    for (const name of ['f32', 'F128', 'toString', '__proto__', 3, undefined]) expect(isFileDType(name)).toBe(false);
  });
});
