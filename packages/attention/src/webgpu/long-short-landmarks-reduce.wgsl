// Backward, step 5 of the bidirectional long-short core: dkBar, dvBar (B, H, r', d) as the sums of
// the per-chunk partials of long-short-landmarks.wgsl, added in chunk order by one invocation per
// element (deterministic). Linked with long-short-common.wgsl and the index snippet.
@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read_write> dkbar: array<f32>;
@group(0) @binding(2) var<storage, read_write> dvbar: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let x = flat_workgroup(wid, nwg) * WG + lid;
  let per_head = p.rp * D;
  if (x >= p.heads * per_head) {
    return;
  }
  let bh = x / per_head;
  let j = (x % per_head) / D;
  let c = x % D;
  var sum_k = 0.0;
  var sum_v = 0.0;
  for (var chunk = 0u; chunk < p.chunks; chunk++) {
    let base = ((bh * p.chunks + chunk) * p.rp + j) * 2u * D + c;
    sum_k += partial[base];
    sum_v += partial[base + D];
  }
  dkbar[x] = sum_k;
  dvbar[x] = sum_v;
}
