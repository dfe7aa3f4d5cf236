// Backward, step 1 of the bidirectional long-short core: per query row, (lse, D, valid, 0) with
// D = rowsum(dO ∘ O) − dlse (the logsumexp output's gradient folded in: ∂lse/∂s = p), all zero for
// padded queries. The later passes read keys' validity from the same rows (a key is valid iff its
// position is). Linked with long-short-common.wgsl and the index snippet.
@group(0) @binding(0) var<storage, read> out: array<f32>;
@group(0) @binding(1) var<storage, read> lse: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> dlse: array<f32>;
@group(0) @binding(4) var<storage, read> valid: array<u32>;
@group(0) @binding(5) var<storage, read_write> stats: array<vec4<f32>>;
@group(0) @binding(6) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = flat_workgroup(wid, nwg) * WG + lid;
  if (row >= p.heads * p.n) {
    return;
  }
  let i = row % p.n;
  let b = row / p.n / p.H;
  if (valid[offset_of(IN_VALID) + b * p.n + i] == 0u) {
    stats[row] = vec4<f32>(0.0);
    return;
  }
  var delta = 0.0;
  for (var c = 0u; c < D; c++) {
    delta += dout[offset_of(IN_DOUT) + row * D + c] * out[offset_of(IN_OUT) + row * D + c];
  }
  stats[row] = vec4<f32>(lse[offset_of(IN_LSE) + row], delta - dlse[offset_of(IN_DLSE) + row], 1.0, 0.0);
}
