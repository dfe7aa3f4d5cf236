// Backward, step 3 of the causal long-short core: du, dv (B, H, d) as the sums over the M queries
// of their terms from causal-dq.wgsl, in query order (deterministic; WGSL has no float atomics).
// Linked with causal-common.wgsl and the index snippet.
@group(0) @binding(0) var<storage, read> bias: array<f32>;
@group(0) @binding(1) var<storage, read_write> du: array<f32>;
@group(0) @binding(2) var<storage, read_write> dv: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let at = flat_workgroup(wid, nwg) * WG + lid;
  if (at >= p.heads * D) {
    return;
  }
  let bh = at / D;
  let c = at % D;
  var sum_u = 0.0;
  var sum_v = 0.0;
  for (var i = 0u; i < p.M; i++) {
    let base = (bh * p.M + i) * 2u * D + c;
    sum_u += bias[base];
    sum_v += bias[base + D];
  }
  du[at] = sum_u;
  dv[at] = sum_v;
}
