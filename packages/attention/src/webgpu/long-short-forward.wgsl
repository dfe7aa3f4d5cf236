// Forward of the bidirectional long-short core (spec A.3 steps 5–9): one workgroup per (head, block
// of WG queries), one invocation per query. Key tiles (r' landmarks, then the block's local rows)
// are loaded into workgroup memory; each query folds a tile at a time into an online softmax
// (FlashAttention-2, Alg. 1), so it never holds more than KT scores. Padded queries get a zero row
// and lse 0. Linked with long-short-common.wgsl, long-short-key-tiles.wgsl (bindings 0–4) and the
// index snippet.
@group(0) @binding(5) var<storage, read> valid: array<u32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<storage, read_write> lse: array<f32>;
@group(0) @binding(8) var<uniform> p: Params;

var<private> acc: array<f32, D>;
var<private> scores: array<f32, KT>;
var<private> live: array<bool, KT>;
var<private> row_max: f32;
var<private> row_sum: f32;

// Folds the live scores of a tile of `count` keys into the running softmax.
fn fold(count: u32) {
  var top = row_max;
  for (var t = 0u; t < count; t++) {
    if (live[t]) {
      top = max(top, scores[t]);
    }
  }
  if (top > row_max) {
    let scale = exp(row_max - top);
    row_sum *= scale;
    for (var c = 0u; c < D; c++) {
      acc[c] *= scale;
    }
    row_max = top;
  }
  for (var t = 0u; t < count; t++) {
    if (live[t]) {
      let weight = exp(scores[t] - row_max);
      row_sum += weight;
      for (var c = 0u; c < D; c++) {
        acc[c] += weight * tile_v[t * D + c];
      }
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let block = block_of(flat_workgroup(wid, nwg));
  if (block.bh >= p.heads) {
    return;
  }
  let i = block.first + lid;
  let row = block.bh * p.n + i;
  let valid_of = offset_of(IN_VALID) + (block.bh / p.H) * p.n;
  let valid_query = i < p.n && valid[valid_of + i] != 0u;
  row_max = NO_SCORE;
  row_sum = 0.0;
  for (var c = 0u; c < D; c++) {
    acc[c] = 0.0;
  }
  load_query(row, valid_query);

  // Landmark keys: every query sees all r'.
  for (var t0 = 0u; t0 < p.rp; t0 += KT) {
    let count = load_keys(true, block.bh, t0, p.rp, lid);
    for (var t = 0u; t < count; t++) {
      live[t] = valid_query;
      scores[t] = score(t);
    }
    fold(count);
  }

  // Local keys: the block's segments' windows (or the block itself in the diagonal mode), each
  // query masked to the valid keys it sees.
  let keys = local_keys_of(block.first, block.last);
  for (var t0 = keys.x; t0 < keys.y; t0 += KT) {
    let count = load_keys(false, block.bh, t0, keys.y, lid);
    for (var t = 0u; t < count; t++) {
      let j = t0 + t;
      live[t] = valid_query && sees(i, j) && valid[valid_of + j] != 0u;
      if (live[t]) {
        scores[t] = score(t);
      }
    }
    fold(count);
  }

  if (i < p.n) {
    let inv = select(0.0, 1.0 / row_sum, valid_query);
    for (var c = 0u; c < D; c++) {
      out[row * D + c] = acc[c] * inv;
    }
    lse[row] = select(0.0, row_max + log(row_sum), valid_query);
  }
}
