// Backward, step 2 of the bidirectional long-short core: dq, query-major, with the forward's
// workgroups and key tiles. Each query recomputes its probabilities from the saved lse:
// p = exp(q·k − lse), dS = p·(dO·v − D), dq = Σ dS·k. Linked with long-short-common.wgsl and the
// index snippet; `stats` holds (lse, D, valid, 0) per row (long-short-stats.wgsl).
@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> kbar: array<f32>;
@group(0) @binding(4) var<storage, read> vbar: array<f32>;
@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> dq: array<f32>;
@group(0) @binding(8) var<uniform> p: Params;

var<workgroup> tile_k: array<f32, KT * D>;
var<workgroup> tile_v: array<f32, KT * D>;

var<private> query: array<f32, D>;
var<private> grad_out: array<f32, D>;
var<private> grad: array<f32, D>;

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

// Adds tile key t's term to dq.
fn accumulate(t: u32, row_lse: f32, delta: f32) {
  var s = 0.0;
  var dp = 0.0;
  for (var c = 0u; c < D; c++) {
    s += query[c] * tile_k[t * D + c];
    dp += grad_out[c] * tile_v[t * D + c];
  }
  let ds = exp(s - row_lse) * (dp - delta);
  for (var c = 0u; c < D; c++) {
    grad[c] += ds * tile_k[t * D + c];
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
  let first = (group % p.groups) * WG;
  let last = min(first + WG, p.n) - 1u;
  let i = first + lid;
  let row = bh * p.n + i;
  var own = vec4<f32>(0.0);
  if (i < p.n) {
    own = stats[row];
  }
  let valid_query = own.z != 0.0;
  for (var c = 0u; c < D; c++) {
    query[c] = 0.0;
    grad_out[c] = 0.0;
    grad[c] = 0.0;
  }
  if (valid_query) {
    for (var c = 0u; c < D; c++) {
      query[c] = q[offset_of(IN_Q) + row * D + c];
      grad_out[c] = dout[offset_of(IN_DOUT) + row * D + c];
    }
  }

  for (var t0 = 0u; t0 < p.rp; t0 += KT) {
    let count = min(KT, p.rp - t0);
    workgroupBarrier();
    load_landmarks(bh * p.rp + t0, count, lid);
    workgroupBarrier();
    if (valid_query) {
      for (var t = 0u; t < count; t++) {
        accumulate(t, own.x, own.y);
      }
    }
  }

  let keys = local_keys_of(first, last);
  for (var t0 = keys.x; t0 < keys.y; t0 += KT) {
    let count = min(KT, keys.y - t0);
    workgroupBarrier();
    load_local(bh * p.n + t0, count, lid);
    workgroupBarrier();
    for (var t = 0u; t < count; t++) {
      let j = t0 + t;
      if (valid_query && sees(i, j) && stats[bh * p.n + j].z != 0.0) {
        accumulate(t, own.x, own.y);
      }
    }
  }

  if (i < p.n) {
    for (var c = 0u; c < D; c++) {
      dq[row * D + c] = grad[c];
    }
  }
}
