// Backward, step 2 of the bidirectional long-short core: dq, query-major, with the forward's
// workgroups and key tiles. Each query recomputes its probabilities from the saved lse:
// p = exp(q·k − lse), dS = p·(dO·v − D), dq = Σ dS·k. Linked with long-short-common.wgsl,
// long-short-key-tiles.wgsl (bindings 0–4) and the index snippet; `stats` holds (lse, D, valid, 0)
// per row (long-short-stats.wgsl).
@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> dq: array<f32>;
@group(0) @binding(8) var<uniform> p: Params;

var<private> grad_out: array<f32, D>;
var<private> grad: array<f32, D>;

// Adds tile key t's term to dq.
fn accumulate(t: u32, row_lse: f32, delta: f32) {
  var dp = 0.0;
  for (var c = 0u; c < D; c++) {
    dp += grad_out[c] * tile_v[t * D + c];
  }
  let ds = exp(score(t) - row_lse) * (dp - delta);
  for (var c = 0u; c < D; c++) {
    grad[c] += ds * tile_k[t * D + c];
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
  var own = vec4<f32>(0.0);
  if (i < p.n) {
    own = stats[row];
  }
  let valid_query = own.z != 0.0;
  load_query(row, valid_query);
  for (var c = 0u; c < D; c++) {
    grad_out[c] = 0.0;
    grad[c] = 0.0;
  }
  if (valid_query) {
    for (var c = 0u; c < D; c++) {
      grad_out[c] = dout[offset_of(IN_DOUT) + row * D + c];
    }
  }

  for (var t0 = 0u; t0 < p.rp; t0 += KT) {
    let count = load_keys(true, block.bh, t0, p.rp, lid);
    if (valid_query) {
      for (var t = 0u; t < count; t++) {
        accumulate(t, own.x, own.y);
      }
    }
  }

  let keys = local_keys_of(block.first, block.last);
  for (var t0 = keys.x; t0 < keys.y; t0 += KT) {
    let count = load_keys(false, block.bh, t0, keys.y, lid);
    for (var t = 0u; t < count; t++) {
      let j = t0 + t;
      if (valid_query && sees(i, j) && stats[block.bh * p.n + j].z != 0.0) {
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
