// Backward, step 4 of the causal long-short core: dK_win, dV_win, one invocation per window row ρ
// (of W + M): the queries that see it are i = ρ − 1 − j for slots j < W, 0 ≤ i < M;
// dK_win[ρ] = Σ dS·(q̂_i + u), dV_win[ρ] = Σ p·dO_i. Linked with causal-common.wgsl,
// causal-rows.wgsl and the index snippet.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dk: array<f32>;
@group(0) @binding(3) var<storage, read_write> dv: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

var<private> grad_k: array<f32, D>;
var<private> grad_v: array<f32, D>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let at = flat_workgroup(wid, nwg) * WG + lid;
  let rows = p.W + p.M;
  if (at >= p.heads * rows) {
    return;
  }
  let bh = at / rows;
  let rho = at % rows;
  let h = bh % p.H;
  for (var c = 0u; c < D; c++) {
    grad_k[c] = 0.0;
    grad_v[c] = 0.0;
  }
  let value = vwin_row(bh, rho);
  let u = u_row(h);
  for (var j = 0u; j < p.W; j++) {
    if (rho < j + 1u || rho - 1u - j >= p.M) {
      continue;
    }
    let i = rho - 1u - j;
    let qi = q_row(bh, i);
    let gi = dout_row(bh, i);
    let own = stats[bh * p.M + i];
    let weight = exp(window_score(bh, h, i, qi, j) - own.x);
    let ds = weight * (dot_x(gi, value) - own.y);
    for (var c = 0u; c < D; c++) {
      grad_k[c] += ds * (x[qi + c] + x[u + c]);
      grad_v[c] += weight * x[gi + c];
    }
  }
  for (var c = 0u; c < D; c++) {
    dk[at * D + c] = grad_k[c];
    dv[at * D + c] = grad_v[c];
  }
}
