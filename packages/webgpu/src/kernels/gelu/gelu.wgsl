// GELU of one f32 value without the cancellation of 1 + erf(x/√2) or 1 + tanh(u) for negative x:
// the exact form as x·Φ(x) with Φ(−|x|) = ½·erfc(|x|/√2), the tanh form as
// ½·x·(1 + tanh u) = x·σ(2u) with u = √(2/π)·(x + 0.044715·x³). Linked after the numerics snippet.

fn gelu_erf_f32(x: f32) -> f32 {
  let tail = 0.5 * erfc_nonnegative(abs(x) * 0.7071067811865476);
  return x * select(tail, 1.0 - tail, x >= 0.0);
}

fn gelu_tanh_f32(x: f32) -> f32 {
  let u = 0.7978845608028654 * (x + 0.044715 * (x * x * x));
  return x * sigmoid_f32(2.0 * u);
}
