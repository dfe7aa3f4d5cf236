// Bit-level conversions between float32 and the narrow float formats files store: IEEE 754 binary16
// (f16), bfloat16 (the top half of a binary32), and the OCP 8-bit formats F8_E4M3 (the "fn" variant:
// no infinities, a single NaN pattern per sign) and F8_E5M2 (IEEE-like). See IEEE 754-2019 §3.6 and
// the OCP "8-bit Floating Point Specification (OFP8)" rev. 1.0.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Decodes the 16 bits of an IEEE binary16 value (subnormals, ±0, ±Infinity and NaN included). */
export function f16BitsToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/**
 * Encodes a float32 value as IEEE binary16 bits, rounding to nearest, ties to even (a JS number is
 * first rounded to float32). Values beyond the f16 range become ±Infinity, tiny values become
 * subnormals or ±0, and NaN stays a (quiet) NaN.
 */
export function f32ToF16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return mantissa === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mantissa >>> 13);
  const halfExponent = exponent - 112; // rebias from 127 to 15
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    return sign | roundShift(full, shift);
  }
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity at 0x7c00).
  return sign | (((halfExponent << 10) | (mantissa >>> 13)) + roundingCarry(mantissa, 13, mantissa >>> 13));
}

/** `value >>> shift`, rounded to nearest, ties to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  return kept + roundingCarry(value, shift, kept);
}

/** 1 when dropping the low `shift` bits of `value` (leaving `kept`) must round up, else 0. */
function roundingCarry(value: number, shift: number, kept: number): number {
  const remainder = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return remainder > half || (remainder === half && (kept & 1) === 1) ? 1 : 0;
}

/** Decodes the 16 bits of a bfloat16 value. */
export function bf16BitsToF32(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/**
 * Encodes a float32 value as bfloat16 bits, rounding to nearest, ties to even (a JS number is first
 * rounded to float32); NaN stays a quiet NaN.
 */
export function f32ToBf16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Decodes an F8_E4M3 (e4m3fn) byte: bias 7, no infinities, `S.1111.111` is NaN, max ±448. */
export function f8E4M3BitsToF32(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const exponent = (bits >>> 3) & 0xf;
  const mantissa = bits & 0x7;
  if (exponent === 0xf && mantissa === 0x7) return NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -9;
  return sign * (8 + mantissa) * 2 ** (exponent - 10);
}

/** Decodes an F8_E5M2 byte: bias 15, IEEE-style infinities and NaNs, max ±57344. */
export function f8E5M2BitsToF32(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const exponent = (bits >>> 2) & 0x1f;
  const mantissa = bits & 0x3;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -16;
  return sign * (4 + mantissa) * 2 ** (exponent - 17);
}
