// Backward, step 5 of the causal long-short core: dR_win (B, H, W, d), one invocation per slot j:
// Σ_i dS_ij·(q̂_i + v) over the M queries, in query order. Linked with causal-common.wgsl,
// causal-rows.wgsl and the index snippet.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dr: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

var<private> grad: array<f32, D>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let at = flat_workgroup(wid, nwg) * WG + lid;
  if (at >= p.heads * p.W) {
    return;
  }
  let bh = at / p.W;
  let j = at % p.W;
  let h = bh % p.H;
  for (var c = 0u; c < D; c++) {
    grad[c] = 0.0;
  }
  let v = v_row(h);
  for (var i = 0u; i < p.M; i++) {
    let qi = q_row(bh, i);
    let own = stats[bh * p.M + i];
    let ds = exp(window_score(bh, h, i, qi, j) - own.x) * (dot_x(dout_row(bh, i), vwin_row(bh, i + 1u + j)) - own.y);
    for (var c = 0u; c < D; c++) {
      grad[c] += ds * (x[qi + c] + x[v + c]);
    }
  }
  for (var c = 0u; c < D; c++) {
    dr[at * D + c] = grad[c];
  }
}
