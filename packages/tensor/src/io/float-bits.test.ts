import { describe, expect, it } from 'vitest';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits, f8E4M3BitsToF32, f8E5M2BitsToF32 } from './float-bits.js';

describe('f16', () => {
  it('decodes known bit patterns', () => {
    const cases: Array<[number, number]> = [
      [0x0000, 0], [0x3c00, 1], [0xc000, -2], [0x3555, 0.333251953125], [0x3bff, 0.99951171875],
      [0x7bff, 65504], [0x0400, 2 ** -14], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24],
      [0x7c00, Infinity], [0xfc00, -Infinity],
    ];
    for (const [bits, value] of cases) expect(f16BitsToF32(bits)).toBe(value);
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f16BitsToF32(0x7e00)).toBeNaN();
    expect(f16BitsToF32(0xfc01)).toBeNaN();
  });

  it('encodes with round to nearest, ties to even', () => {
    const cases: Array<[number, number]> = [
      [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65519, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00], [-1e6, 0xfc00],
      [Infinity, 0x7c00], [-Infinity, 0xfc00], [2 ** -14, 0x0400], [2 ** -24, 0x0001],
      [2 ** -25, 0x0000], [2 ** -25 * 1.5, 0x0001], [3 * 2 ** -25, 0x0002], [5 * 2 ** -25, 0x0002],
      [1023.5 * 2 ** -24, 0x0400], [1e-8, 0x0000], [-1e-8, 0x8000], [1 / 3, 0x3555],
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [1 + 2 ** -11 + 2 ** -20, 0x3c01], [2047 / 2048 + 2 ** -12, 0x3c00],
    ];
    for (const [value, bits] of cases) expect(f32ToF16Bits(value), `${value}`).toBe(bits);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    const nan = f32ToF16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });

  it('round-trips every non-NaN f16 bit pattern', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = f16BitsToF32(bits);
      if (Number.isNaN(value)) expect(f16BitsToF32(f32ToF16Bits(value))).toBeNaN();
      else expect(f32ToF16Bits(value)).toBe(bits);
    }
  });

  it('rounds midpoints between neighbouring f16 values to the even one', () => {
    for (let bits = 0; bits < 0x7bff; bits += 7) {
      const midpoint = (f16BitsToF32(bits) + f16BitsToF32(bits + 1)) / 2;
      expect(f32ToF16Bits(midpoint)).toBe(bits % 2 === 0 ? bits : bits + 1);
    }
  });
});

describe('bf16', () => {
  it('decodes and encodes known bit patterns', () => {
    expect(bf16BitsToF32(0x3f80)).toBe(1);
    expect(bf16BitsToF32(0x4049)).toBe(3.140625);
    expect(bf16BitsToF32(0xff80)).toBe(-Infinity);
    expect(bf16BitsToF32(0x7fc0)).toBeNaN();
    expect(bf16BitsToF32(0x0001)).toBe(2 ** -133);
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(f32ToBf16Bits(Math.PI)).toBe(0x4049);
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(f32ToBf16Bits(3.4e38)).toBe(0x7f80);
    expect(f32ToBf16Bits(-Infinity)).toBe(0xff80);
    expect(bf16BitsToF32(f32ToBf16Bits(NaN))).toBeNaN();
  });

  it('round-trips every non-NaN bf16 bit pattern', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = bf16BitsToF32(bits);
      if (Number.isNaN(value)) expect(bf16BitsToF32(f32ToBf16Bits(value))).toBeNaN();
      else expect(f32ToBf16Bits(value)).toBe(bits);
    }
  });
});

describe('f8', () => {
  it('decodes F8_E4M3 (e4m3fn) bit patterns', () => {
    const cases: Array<[number, number]> = [
      [0x00, 0], [0x38, 1], [0xb8, -1], [0x7e, 448], [0xfe, -448], [0x08, 2 ** -6], [0x01, 2 ** -9], [0x07, 7 * 2 ** -9], [0x78, 256],
    ];
    for (const [bits, value] of cases) expect(f8E4M3BitsToF32(bits)).toBe(value);
    expect(f8E4M3BitsToF32(0x7f)).toBeNaN();
    expect(f8E4M3BitsToF32(0xff)).toBeNaN();
    expect(Object.is(f8E4M3BitsToF32(0x80), -0)).toBe(true);
  });

  it('decodes F8_E5M2 bit patterns', () => {
    const cases: Array<[number, number]> = [
      [0x00, 0], [0x3c, 1], [0xc0, -2], [0x7b, 57344], [0x7c, Infinity], [0xfc, -Infinity], [0x04, 2 ** -14], [0x01, 2 ** -16], [0x03, 3 * 2 ** -16],
    ];
    for (const [bits, value] of cases) expect(f8E5M2BitsToF32(bits)).toBe(value);
    expect(f8E5M2BitsToF32(0x7d)).toBeNaN();
    expect(f8E5M2BitsToF32(0xff)).toBeNaN();
  });
});
