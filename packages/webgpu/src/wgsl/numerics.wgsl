// Numerics shared by the kernels, matching the CPU reference (PyTorch semantics) where WGSL leaves
// results indeterminate: NaN tests by bit pattern, NaN-propagating max/min, pow of a negative base,
// float → i32 as JavaScript's ToInt32, a tanh that cannot overflow, and exp, erfc and erf for float32.

fn is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// NOTE: built from a runtime value: a constant NaN or infinity is a WGSL shader-creation error.
fn from_bits(bits: u32) -> f32 {
  var b = bits;
  return bitcast<f32>(b);
}

fn nan_f32() -> f32 {
  return from_bits(0x7fc00000u);
}

fn nonzero_f32(x: f32) -> bool {
  return x != 0.0 || is_nan(x);
}

fn max_f32(a: f32, b: f32) -> f32 {
  return select(max(a, b), nan_f32(), is_nan(a) || is_nan(b));
}

fn min_f32(a: f32, b: f32) -> f32 {
  return select(min(a, b), nan_f32(), is_nan(a) || is_nan(b));
}

// −1, 0 or 1; NaN gives 0, as the reference's comparisons do.
fn sign_f32(x: f32) -> f32 {
  return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0);
}

// NOTE: tanh(x) is ±1 to float32 precision beyond |x| = 10; this also avoids exp overflow (NaN).
fn tanh_f32(x: f32) -> f32 {
  return select(tanh(x), sign_f32(x), abs(x) > 10.0);
}

// NOTE: the exponential is taken of −|x| only, so it never overflows.
fn sigmoid_f32(x: f32) -> f32 {
  let e = exp_f32(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

// eˣ to about 1 ulp (Cephes expf: Cody–Waite reduction by ln 2 with a two-part constant, then a
// degree-6 polynomial); WGSL's exp only promises 3 + 2|x| ulp. NaN stays NaN, −∞ gives 0.
// NOTE: 2ⁿ is applied in two halves so that n = 128 or a subnormal result does not overflow ldexp.
fn exp_f32(x: f32) -> f32 {
  if (is_nan(x)) {
    return x;
  }
  if (x > 88.72283935546875) {
    return from_bits(0x7f800000u);
  }
  if (x < -103.97208404541016) {
    return 0.0;
  }
  let k = floor(x * 1.4426950408889634 + 0.5);
  let r = (x - k * 0.693359375) + k * 2.12194440e-4;
  let e = ((((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
    + 1.6666665459e-1) * r + 5.0000001201e-1) * r * r + r) + 1.0;
  let n = i32(k);
  return ldexp(ldexp(e, n / 2), n - n / 2);
}

// erfc(a) for a ≥ 0 through its Chebyshev fit (Numerical Recipes erfcc, relative error < 1.2e-7).
// NOTE: a² is split as hi² (exact: hi keeps 12 bits) + lo·(a + hi), so that its rounding (up to
// 100 · 2⁻²⁴) does not reach the exponential; erfc(a) < 2⁻¹⁴⁹ beyond a = 10.
fn erfc_nonnegative(a: f32) -> f32 {
  if (a >= 10.0) {
    return 0.0;
  }
  let t = 1.0 / (1.0 + 0.5 * a);
  let hi = bitcast<f32>(bitcast<u32>(a) & 0xfffff000u);
  let lo = a - hi;
  let fit = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
    + t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp_f32(-hi * hi) * exp_f32(fit - lo * (a + hi));
}

// erf to about 2.5e-7 relative: 1 − erfc beyond |x| = 0.5, its Maclaurin series (to x¹¹) below,
// where 1 − erfc would lose the leading bits.
fn erf_f32(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    let x2 = x * x;
    return 1.1283791670955126 * x * (1.0 + x2 * (-0.3333333333333333 + x2 * (0.1 + x2 * (-0.023809523809523808
      + x2 * (0.004629629629629629 + x2 * -0.0007575757575757576)))));
  }
  let erfc = erfc_nonnegative(abs(x));
  return select(erfc - 1.0, 1.0 - erfc, x >= 0.0);
}

// Math.pow for float32: WGSL's pow is undefined for a negative base.
fn pow_f32(a: f32, b: f32) -> f32 {
  if (b == 0.0) {
    return 1.0;
  }
  if (a < 0.0) {
    if (floor(b) != b) {
      return nan_f32();
    }
    let magnitude = pow(-a, b);
    return select(magnitude, -magnitude, abs(b) % 2.0 == 1.0);
  }
  return pow(a, b);
}

// Integer power by squaring (wrapping); negative exponents truncate 1/aᵇ toward zero.
fn pow_i32(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) {
      return 1;
    }
    if (a == -1) {
      return select(1, -1, (b & 1) != 0);
    }
    return 0;
  }
  var result = 1;
  var base = a;
  var e = u32(b);
  while (e != 0u) {
    if ((e & 1u) == 1u) {
      result *= base;
    }
    base *= base;
    e >>= 1u;
  }
  return result;
}

// JavaScript's ToInt32 (as the reference's Int32Array stores): truncate, NaN and ±∞ give 0, and
// values beyond ±2³¹ wrap modulo 2³² instead of saturating as WGSL's i32() does.
fn f32_to_i32(x: f32) -> i32 {
  let bits = bitcast<u32>(x);
  let exponent = i32((bits >> 23u) & 0xffu) - 127;
  if (exponent < 31) {
    return i32(x);
  }
  if (exponent == 128 || exponent - 23 >= 32) {
    return 0;
  }
  // |x| = mantissa · 2^(exponent − 23): keep the low 32 bits of that integer.
  let low = ((bits & 0x7fffffu) | 0x800000u) << u32(exponent - 23);
  return select(bitcast<i32>(low), bitcast<i32>(0u - low), (bits >> 31u) == 1u);
}

// sin(x + q·π/2) to about 1 ulp for |x| < 1e5 (WGSL only promises 2⁻¹¹ absolute error, and
// SwiftShader's is near that): Cody–Waite reduction by π/2 with a three-part constant, then the
// Cephes sinf/cosf minimax polynomials on [−π/4, π/4].
// NOTE: beyond |x| = 1e5 the reduction loses its bits, so the builtin (WGSL precision) is used.
fn sin_quadrant(x: f32, q: i32) -> f32 {
  if (abs(x) > 1e5) {
    return select(sin(x), cos(x), q == 1);
  }
  let k = round(x * 0.63661977236758134);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703125e-4) - k * 7.549789948768648e-8;
  let r2 = r * r;
  let s = r + r * r2 * (-1.6666654611e-1 + r2 * (8.3321608736e-3 + r2 * -1.9515295891e-4));
  let c = 1.0 - 0.5 * r2 + r2 * r2 * (4.166664568298827e-2 + r2 * (-1.388731625493765e-3 + r2 * 2.443315711809948e-5));
  let quadrant = (i32(k) + q) & 3;
  let value = select(s, c, (quadrant & 1) == 1);
  return select(value, -value, quadrant >= 2);
}

fn sin_f32(x: f32) -> f32 {
  return sin_quadrant(x, 0);
}

fn cos_f32(x: f32) -> f32 {
  return sin_quadrant(x, 1);
}
