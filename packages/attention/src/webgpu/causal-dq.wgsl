// Backward, step 2 of the causal long-short core: one invocation per query i, probabilities
// recomputed from the saved lse (p = exp(s − lse), dS = p·(dO·value − D)). Writes dq and the
// query's terms of the bias gradients, du_i = Σ_j dS_ij·K_win[ρ] and dv_i = Σ_j dS_ij·R_win[j],
// to `bias` ((B·H, M, 2, d); causal-bias-reduce.wgsl sums them). Linked with causal-common.wgsl,
// causal-rows.wgsl and the index snippet.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dq: array<f32>;
@group(0) @binding(3) var<storage, read_write> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

var<private> grad: array<f32, D>;
var<private> grad_u: array<f32, D>;
var<private> grad_v: array<f32, D>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = flat_workgroup(wid, nwg) * WG + lid;
  if (row >= p.heads * p.M) {
    return;
  }
  let at = query_of(row);
  let gi = dout_row(at.bh, at.i);
  let own = stats[row];
  for (var c = 0u; c < D; c++) {
    grad[c] = 0.0;
    grad_u[c] = 0.0;
    grad_v[c] = 0.0;
  }
  let limit = visible(at.i);
  for (var m = 0u; m < limit; m++) {
    let k = kbar_row(at.bh, m);
    let r = rchunk_row(at.h, m + p.N - limit);
    let ds = exp(compressed_score(at.bh, at.h, at.i, at.qi, m) - own.x) * (dot_x(gi, vbar_row(at.bh, m)) - own.y);
    for (var c = 0u; c < D; c++) {
      grad[c] += ds * (x[k + c] + x[r + c]);
    }
  }
  for (var j = 0u; j < p.W; j++) {
    let k = kwin_row(at.bh, at.i + 1u + j);
    let r = rwin_row(at.h, j);
    let ds = exp(window_score(at.bh, at.h, at.i, at.qi, j) - own.x) * (dot_x(gi, vwin_row(at.bh, at.i + 1u + j)) - own.y);
    for (var c = 0u; c < D; c++) {
      grad[c] += ds * (x[k + c] + x[r + c]);
      grad_u[c] += ds * x[k + c];
      grad_v[c] += ds * x[r + c];
    }
  }
  for (var c = 0u; c < D; c++) {
    dq[row * D + c] = grad[c];
    bias[row * 2u * D + c] = grad_u[c];
    bias[row * 2u * D + D + c] = grad_v[c];
  }
}
