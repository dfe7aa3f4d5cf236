// Key tiles of the query-major kernels of the bidirectional long-short core (spec A.3 steps 5–9;
// long-short-forward.wgsl, long-short-dq.wgsl): the bindings of q, k, v, kbar, vbar (0–4), each
// invocation's query row, and tiles of KT key and value rows (landmarks, then local keys) in
// workgroup memory. Linked with long-short-common.wgsl and the kernel, which binds the rest.
@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> kbar: array<f32>;
@group(0) @binding(4) var<storage, read> vbar: array<f32>;

var<workgroup> tile_k: array<f32, KT * D>;
var<workgroup> tile_v: array<f32, KT * D>;

var<private> query: array<f32, D>;

// Row `row` of q into `query` if `live`, zeros otherwise.
fn load_query(row: u32, live: bool) {
  for (var c = 0u; c < D; c++) {
    query[c] = 0.0;
  }
  if (live) {
    for (var c = 0u; c < D; c++) {
      query[c] = q[offset_of(IN_Q) + row * D + c];
    }
  }
}

// Head bh's rows t0 … t0 + count − 1, count = min(KT, end − t0), of the landmarks (kbar / vbar) or
// the local keys (k / v) into the tiles, between workgroup barriers (call in uniform control flow);
// returns count.
fn load_keys(landmarks: bool, bh: u32, t0: u32, end: u32, lid: u32) -> u32 {
  let count = min(KT, end - t0);
  let first = select(bh * p.n, bh * p.rp, landmarks) + t0;
  let base_k = select(offset_of(IN_K), offset_of(IN_KBAR), landmarks) + first * D;
  let base_v = select(offset_of(IN_V), offset_of(IN_VBAR), landmarks) + first * D;
  workgroupBarrier();
  for (var x = lid; x < count * D; x += WG) {
    if (landmarks) {
      tile_k[x] = kbar[base_k + x];
      tile_v[x] = vbar[base_v + x];
    } else {
      tile_k[x] = k[base_k + x];
      tile_v[x] = v[base_v + x];
    }
  }
  workgroupBarrier();
  return count;
}

// query · tile key row t.
fn score(t: u32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < D; c++) {
    s += query[c] * tile_k[t * D + c];
  }
  return s;
}
