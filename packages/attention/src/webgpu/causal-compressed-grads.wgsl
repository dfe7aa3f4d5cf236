// Backward, step 6 of the causal long-short core: one invocation per compressed row m (of N):
// dK̄[m] = Σ dS_im·q̂_i and dV̄[m] = Σ p_im·dO_i over the queries that see m (limit(i) > m), and
// dR_chunk[m] = Σ dS·q̂_i over the queries whose visible vector m' = m + limit(i) − N uses R_chunk
// row m (limit(i) ≥ N − m), each in query order. Linked with causal-common.wgsl, causal-rows.wgsl
// and the index snippet.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dkbar: array<f32>;
@group(0) @binding(3) var<storage, read_write> dvbar: array<f32>;
@group(0) @binding(4) var<storage, read_write> drchunk: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<private> grad_k: array<f32, D>;
var<private> grad_v: array<f32, D>;
var<private> grad_r: array<f32, D>;

// dS of query i against compressed vector m (and p through `weight`).
fn ds_of(bh: u32, h: u32, i: u32, m: u32, weight: ptr<function, f32>) -> f32 {
  let qi = q_row(bh, i);
  let own = stats[bh * p.M + i];
  *weight = exp(compressed_score(bh, h, i, qi, m) - own.x);
  return *weight * (dot_x(dout_row(bh, i), vbar_row(bh, m)) - own.y);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let at = flat_workgroup(wid, nwg) * WG + lid;
  if (at >= p.heads * p.N) {
    return;
  }
  let bh = at / p.N;
  let m = at % p.N;
  let h = bh % p.H;
  for (var c = 0u; c < D; c++) {
    grad_k[c] = 0.0;
    grad_v[c] = 0.0;
    grad_r[c] = 0.0;
  }
  var weight = 0.0;
  for (var i = 0u; i < p.M; i++) {
    let limit = visible(i);
    let qi = q_row(bh, i);
    if (limit > m) {
      let ds = ds_of(bh, h, i, m, &weight);
      let gi = dout_row(bh, i);
      for (var c = 0u; c < D; c++) {
        grad_k[c] += ds * x[qi + c];
        grad_v[c] += weight * x[gi + c];
      }
    }
    if (limit + m >= p.N) {
      let ds = ds_of(bh, h, i, m + limit - p.N, &weight);
      for (var c = 0u; c < D; c++) {
        grad_r[c] += ds * x[qi + c];
      }
    }
  }
  for (var c = 0u; c < D; c++) {
    dkbar[at * D + c] = grad_k[c];
    dvbar[at * D + c] = grad_v[c];
    drchunk[at * D + c] = grad_r[c];
  }
}
