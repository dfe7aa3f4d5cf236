// Backward, step 3 of the bidirectional long-short core: dk, dv of the local keys, key-major (one
// workgroup per (head, block of WG keys), one invocation per key). Key j is seen by the queries of
// the segments whose windows hold it (its own and its neighbours), or by its own query in the
// diagonal mode; the block loops over those queries in tiles and masks each pair by that rule.
// Padded keys get zero rows. Linked with long-short-common.wgsl, long-short-key-grads.wgsl and the
// index snippet.
@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> dk: array<f32>;
@group(0) @binding(6) var<storage, read_write> dv: array<f32>;
@group(0) @binding(7) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let group = flat_workgroup(wid, nwg);
  if (group >= p.heads * p.groups) {
    return;
  }
  let bh = group / p.groups;
  let first = (group % p.groups) * WG;
  let last = min(first + WG, p.n) - 1u;
  let j = first + lid;
  let row = bh * p.n + j;
  var valid_key = false;
  if (j < p.n) {
    valid_key = stats[row].z != 0.0;
  }
  reset_key();
  if (valid_key) {
    for (var c = 0u; c < D; c++) {
      key[c] = k[offset_of(IN_K) + row * D + c];
      value[c] = v[offset_of(IN_V) + row * D + c];
    }
  }

  let queries = local_queries_of(first, last);
  for (var t0 = queries.x; t0 < queries.y; t0 += KT) {
    let count = min(KT, queries.y - t0);
    workgroupBarrier();
    load_queries(bh * p.n + t0, count, lid);
    workgroupBarrier();
    for (var t = 0u; t < count; t++) {
      if (valid_key && tile_s[t].z != 0.0 && sees(t0 + t, j)) {
        accumulate(t);
      }
    }
  }

  if (j < p.n) {
    for (var c = 0u; c < D; c++) {
      dk[row * D + c] = grad_k[c];
      dv[row * D + c] = grad_v[c];
    }
  }
}
