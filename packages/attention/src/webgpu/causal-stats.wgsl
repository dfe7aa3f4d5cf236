// Backward, step 1 of the causal long-short core: per query row, (lse, D) with
// D = rowsum(dO ∘ O) − dlse (the logsumexp output's gradient folded in: ∂lse/∂s = p).
// Linked with causal-common.wgsl and the index snippet.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> stats: array<vec2<f32>>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = flat_workgroup(wid, nwg) * WG + lid;
  if (row >= p.heads * p.M) {
    return;
  }
  let delta = dot_x(section(11u) + row * D, section(9u) + row * D) - x[section(12u) + row];
  stats[row] = vec2<f32>(x[section(10u) + row], delta);
}
