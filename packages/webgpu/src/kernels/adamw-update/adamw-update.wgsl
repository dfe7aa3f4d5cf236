// One AdamW step per element (the adamwUpdate composite of @longshort/tensor, optim/adamw-update):
// the same operations in the same order as its decomposition, in f32, reading p, g, m, v and
// writing p', m', v' in one pass. Linked after a header declaring `alias X`, the bindings
// p_in, g, m_in, v_in, p_out, m_out, v_out, and `fn second_moment(i: u32, v: f32) -> f32` (v' itself,
// or with AMSGrad the running maximum, which it also stores). Scalars are precomputed in Params.
override WORKGROUP_SIZE: u32 = 256;

struct Params {
  size: u32,
  offset_p: u32,
  offset_g: u32,
  offset_m: u32,
  offset_v: u32,
  offset_vmax: u32,
  // 1 − lr·weightDecay
  decay: f32,
  // 1 − β1
  one_minus_beta1: f32,
  beta2: f32,
  // 1 − β2
  one_minus_beta2: f32,
  // √(1 − β2ᵗ)
  root_correction2: f32,
  eps: f32,
  // lr / (1 − β1ᵗ)
  step_size: f32,
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= p.size) {
    return;
  }
  let param = f32(p_in[p.offset_p + i]);
  let grad = f32(g[p.offset_g + i]);
  let m = f32(m_in[p.offset_m + i]);
  let v = f32(v_in[p.offset_v + i]);
  let decayed = param * p.decay;
  let m_next = m + (grad - m) * p.one_minus_beta1;
  let v_next = v * p.beta2 + (grad * grad) * p.one_minus_beta2;
  let denom = sqrt(second_moment(i, v_next)) / p.root_correction2 + p.eps;
  p_out[i] = X(decayed - (m_next / denom) * p.step_size);
  m_out[i] = X(m_next);
  v_out[i] = X(v_next);
}
