import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayFor } from './dtype.js';
import { add, bytesPerElement, dtypes, isFloat, promoteTypes, where, zeros, type DType } from './index.js';

const dtype = fc.constantFrom(...dtypes);

describe('promoteTypes', () => {
  it('follows bool < i32 < f16 < f32 < f64 (PyTorch category rule)', () => {
    const table: Record<DType, Record<DType, DType>> = {
      bool: { bool: 'bool', i32: 'i32', f16: 'f16', f32: 'f32', f64: 'f64' },
      i32: { bool: 'i32', i32: 'i32', f16: 'f16', f32: 'f32', f64: 'f64' },
      f16: { bool: 'f16', i32: 'f16', f16: 'f16', f32: 'f32', f64: 'f64' },
      f32: { bool: 'f32', i32: 'f32', f16: 'f32', f32: 'f32', f64: 'f64' },
      f64: { bool: 'f64', i32: 'f64', f16: 'f64', f32: 'f64', f64: 'f64' },
    };
    for (const a of dtypes) for (const b of dtypes) expect(promoteTypes(a, b), `${a} ${b}`).toBe(table[a][b]);
  });

  it('is closed, symmetric, idempotent and associative, and never loses a float (properties)', () => {
    fc.assert(fc.property(dtype, dtype, dtype, (a, b, c) => {
      const ab = promoteTypes(a, b);
      expect(dtypes).toContain(ab);
      expect(promoteTypes(b, a)).toBe(ab);
      expect(promoteTypes(a, a)).toBe(a);
      expect(promoteTypes(ab, c)).toBe(promoteTypes(a, promoteTypes(b, c)));
      expect(promoteTypes(ab, a)).toBe(ab);
      if (isFloat(a) || isFloat(b)) expect(isFloat(ab)).toBe(true);
    }), { seed: 3, numRuns: 100 });
  });

  it('is what the ops use for their result dtype', () => {
    const cpu = dtypes.filter((d) => d !== 'f16');
    for (const a of cpu) {
      for (const b of cpu) {
        expect(add(zeros([1], a), zeros([1], b)).dtype, `${a} + ${b}`).toBe(promoteTypes(a, b));
        expect(where(zeros([1], 'bool'), zeros([1], a), zeros([1], b)).dtype).toBe(promoteTypes(a, b));
      }
    }
  });
});

describe('dtype facts', () => {
  it('isFloat, bytesPerElement and host arrays agree', () => {
    expect(dtypes.filter(isFloat)).toEqual(['f32', 'f64', 'f16']);
    const arrays = { f32: Float32Array, f64: Float64Array, f16: Uint16Array, i32: Int32Array, bool: Uint8Array };
    for (const d of dtypes) {
      const host = arrayFor(d, 3);
      expect(host).toBeInstanceOf(arrays[d]);
      expect(host.length).toBe(3);
      expect(host.BYTES_PER_ELEMENT).toBe(bytesPerElement(d));
    }
  });
});
