// Forward of the bidirectional long-short core (spec A.3 steps 5–9): one workgroup per (head, block
// of WG queries), one invocation per query. Key tiles (r' landmarks, then the block's local rows)
// are loaded into workgroup memory; each query folds a tile at a time into an online softmax
// (FlashAttention-2, Alg. 1), so it never holds more than KT scores. Padded queries get a zero row
// and lse 0. Linked with long-short-common.wgsl and the index snippet.
@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> kbar: array<f32>;
@group(0) @binding(4) var<storage, read> vbar: array<f32>;
@group(0) @binding(5) var<storage, read> valid: array<u32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<storage, read_write> lse: array<f32>;
@group(0) @binding(8) var<uniform> p: Params;

var<workgroup> tile_k: array<f32, KT * D>;
var<workgroup> tile_v: array<f32, KT * D>;

var<private> query: array<f32, D>;
var<private> acc: array<f32, D>;
var<private> scores: array<f32, KT>;
var<private> live: array<bool, KT>;
var<private> row_max: f32;
var<private> row_sum: f32;

// Rows first … first + count − 1 of kbar / vbar into the tile.
fn load_landmarks(first: u32, count: u32, lid: u32) {
  let base_k = offset_of(IN_KBAR) + first * D;
  let base_v = offset_of(IN_VBAR) + first * D;
  for (var x = lid; x < count * D; x += WG) {
    tile_k[x] = kbar[base_k + x];
    tile_v[x] = vbar[base_v + x];
  }
}

// Rows first … first + count − 1 of k / v into the tile.
fn load_local(first: u32, count: u32, lid: u32) {
  let base_k = offset_of(IN_K) + first * D;
  let base_v = offset_of(IN_V) + first * D;
  for (var x = lid; x < count * D; x += WG) {
    tile_k[x] = k[base_k + x];
    tile_v[x] = v[base_v + x];
  }
}

fn score(t: u32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < D; c++) {
    s += query[c] * tile_k[t * D + c];
  }
  return s;
}

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
  let group = flat_workgroup(wid, nwg);
  if (group >= p.heads * p.groups) {
    return;
  }
  let bh = group / p.groups;
  let b = bh / p.H;
  let first = (group % p.groups) * WG;
  let last = min(first + WG, p.n) - 1u;
  let i = first + lid;
  let row = bh * p.n + i;
  let valid_query = i < p.n && valid[offset_of(IN_VALID) + b * p.n + i] != 0u;
  row_max = NO_SCORE;
  row_sum = 0.0;
  for (var c = 0u; c < D; c++) {
    query[c] = 0.0;
    acc[c] = 0.0;
  }
  if (valid_query) {
    for (var c = 0u; c < D; c++) {
      query[c] = q[offset_of(IN_Q) + row * D + c];
    }
  }

  // Landmark keys: every query sees all r'.
  for (var t0 = 0u; t0 < p.rp; t0 += KT) {
    let count = min(KT, p.rp - t0);
    workgroupBarrier();
    load_landmarks(bh * p.rp + t0, count, lid);
    workgroupBarrier();
    for (var t = 0u; t < count; t++) {
      live[t] = valid_query;
      scores[t] = score(t);
    }
    fold(count);
  }

  // Local keys: the block's segments' windows (or the block itself in the diagonal mode), each
  // query masked to the valid keys it sees.
  let keys = local_keys_of(first, last);
  for (var t0 = keys.x; t0 < keys.y; t0 += KT) {
    let count = min(KT, keys.y - t0);
    workgroupBarrier();
    load_local(bh * p.n + t0, count, lid);
    workgroupBarrier();
    for (var t = 0u; t < count; t++) {
      let j = t0 + t;
      live[t] = valid_query && sees(i, j) && valid[offset_of(IN_VALID) + b * p.n + j] != 0u;
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
