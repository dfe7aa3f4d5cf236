// Backward, step 3 of the bidirectional long-short core: dk, dv of the local keys, key-major (one
// workgroup per (head, block of WG keys), one invocation per key). Key j is seen by the queries of
// the segments whose windows hold it (its own and its neighbours), or by its own query in the
// diagonal mode; the block loops over those queries in tiles and masks each pair by that rule.
// Padded keys get zero rows. Linked with long-short-common.wgsl, long-short-key-grads.wgsl
// (bindings 0, 3, 4) and the index snippet.
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read_write> dk: array<f32>;
@group(0) @binding(6) var<storage, read_write> dv: array<f32>;
@group(0) @binding(7) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = block_of(flat_workgroup(wid, nwg));
  if (block.bh >= p.heads) {
    return;
  }
  let j = block.first + lid;
  let row = block.bh * p.n + j;
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

  let queries = local_queries_of(block.first, block.last);
  for (var t0 = queries.x; t0 < queries.y; t0 += KT) {
    let count = load_queries(block.bh, t0, queries.y, lid);
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
