// Key-major gradients of the bidirectional long-short core, shared by long-short-dkv.wgsl (window
// keys) and long-short-landmarks.wgsl (landmark partials): each invocation holds one key and value
// row and accumulates dk = Σ_i dS_i·q_i, dv = Σ_i p_i·dO_i over tiles of queries in workgroup memory,
// p_i = exp(q_i·k − lse_i), dS_i = p_i·(dO_i·v − D_i). Binds q (0), dout (3) and stats (4: (lse, D,
// valid, 0) per row); linked with long-short-common.wgsl and the kernel, which binds the rest.
@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<vec4<f32>>;

var<workgroup> tile_q: array<f32, KT * D>;
var<workgroup> tile_g: array<f32, KT * D>;
var<workgroup> tile_s: array<vec4<f32>, KT>;

var<private> key: array<f32, D>;
var<private> value: array<f32, D>;
var<private> grad_k: array<f32, D>;
var<private> grad_v: array<f32, D>;

// Head bh's query rows t0 … t0 + count − 1, count = min(KT, end − t0) (q, dO and stats rows), into
// the tiles, between workgroup barriers (call in uniform control flow); returns count.
fn load_queries(bh: u32, t0: u32, end: u32, lid: u32) -> u32 {
  let count = min(KT, end - t0);
  let first = bh * p.n + t0;
  let base_q = offset_of(IN_Q) + first * D;
  let base_g = offset_of(IN_DOUT) + first * D;
  workgroupBarrier();
  for (var x = lid; x < count * D; x += WG) {
    tile_q[x] = q[base_q + x];
    tile_g[x] = dout[base_g + x];
  }
  for (var t = lid; t < count; t += WG) {
    tile_s[t] = stats[first + t];
  }
  workgroupBarrier();
  return count;
}

// Adds query tile row t's term to dk and dv (a padded query, valid 0, must be skipped by the caller).
fn accumulate(t: u32) {
  var s = 0.0;
  var dp = 0.0;
  for (var c = 0u; c < D; c++) {
    s += tile_q[t * D + c] * key[c];
    dp += tile_g[t * D + c] * value[c];
  }
  let weight = exp(s - tile_s[t].x);
  let ds = weight * (dp - tile_s[t].y);
  for (var c = 0u; c < D; c++) {
    grad_k[c] += ds * tile_q[t * D + c];
    grad_v[c] += weight * tile_g[t * D + c];
  }
}

// Zeroes the accumulators and the key / value rows.
fn reset_key() {
  for (var c = 0u; c < D; c++) {
    key[c] = 0.0;
    value[c] = 0.0;
    grad_k[c] = 0.0;
    grad_v[c] = 0.0;
  }
}
