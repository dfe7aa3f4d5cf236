// Backward, step 4 of the bidirectional long-short core: partial dkBar, dvBar. Every valid query
// sees every landmark, so one workgroup takes (head, chunk of CHUNK queries, group of WG landmarks),
// one invocation per landmark, and writes that chunk's sums to `partial` ((B·H, chunks, r', 2, d):
// dk row, then dv row); long-short-landmarks-reduce.wgsl adds the chunks in order (WGSL has no float
// atomics; the order is fixed, so results are deterministic). Linked with long-short-common.wgsl,
// long-short-key-grads.wgsl (bindings 0, 3, 4) and the index snippet.
@group(0) @binding(1) var<storage, read> kbar: array<f32>;
@group(0) @binding(2) var<storage, read> vbar: array<f32>;
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = flat_workgroup(wid, nwg);
  if (group >= p.heads * p.groups) {
    return;
  }
  // groups = chunks · landmark groups per head.
  let bh = group / p.groups;
  let landmark_groups = p.groups / p.chunks;
  let chunk = (group % p.groups) / landmark_groups;
  let j = (group % landmark_groups) * WG + lid;
  let is_landmark = j < p.rp;
  let row = bh * p.rp + j;
  reset_key();
  if (is_landmark) {
    for (var c = 0u; c < D; c++) {
      key[c] = kbar[offset_of(IN_KBAR) + row * D + c];
      value[c] = vbar[offset_of(IN_VBAR) + row * D + c];
    }
  }

  let end = min((chunk + 1u) * CHUNK, p.n);
  for (var t0 = chunk * CHUNK; t0 < end; t0 += KT) {
    let count = load_queries(bh, t0, end, lid);
    for (var t = 0u; t < count; t++) {
      if (is_landmark && tile_s[t].z != 0.0) {
        accumulate(t);
      }
    }
  }

  if (is_landmark) {
    let base = ((bh * p.chunks + chunk) * p.rp + j) * 2u * D;
    for (var c = 0u; c < D; c++) {
      partial[base + c] = grad_k[c];
      partial[base + D + c] = grad_v[c];
    }
  }
}
