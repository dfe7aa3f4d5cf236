// Forward of the causal long-short core (spec B.5 steps 5–6): one invocation per query i, an online
// softmax (running max, sum and accumulator; one score at a time) over its visible compressed
// vectors m < (C_mem + ⌊i/ℓ⌋)·r, then its W window rows ρ = i + 1 + j. Writes context and lse.
// Linked with causal-common.wgsl, causal-rows.wgsl and the index snippet.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> lse: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

var<private> acc: array<f32, D>;
var<private> row_max: f32;
var<private> row_sum: f32;

// Folds one key's score and its value row (at `value` in x) into the running softmax.
fn push(s: f32, value: u32) {
  if (s > row_max) {
    let scale = exp(row_max - s);
    row_sum *= scale;
    for (var c = 0u; c < D; c++) {
      acc[c] *= scale;
    }
    row_max = s;
  }
  let weight = exp(s - row_max);
  row_sum += weight;
  for (var c = 0u; c < D; c++) {
    acc[c] += weight * x[value + c];
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = flat_workgroup(wid, nwg) * WG + lid;
  if (row >= p.heads * p.M) {
    return;
  }
  let at = query_of(row);
  // Below every finite score (a constant −∞ is a WGSL error): exp(row_max − s) clears nothing yet held.
  row_max = -3.0e38;
  row_sum = 0.0;
  for (var m = 0u; m < visible(at.i); m++) {
    push(compressed_score(at.bh, at.h, at.i, at.qi, m), vbar_row(at.bh, m));
  }
  for (var j = 0u; j < p.W; j++) {
    push(window_score(at.bh, at.h, at.i, at.qi, j), vwin_row(at.bh, at.i + 1u + j));
  }
  let inv = 1.0 / row_sum;
  for (var c = 0u; c < D; c++) {
    out[row * D + c] = acc[c] * inv;
  }
  lse[row] = row_max + log(row_sum);
}
