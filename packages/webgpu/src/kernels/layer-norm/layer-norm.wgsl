// Layer norm over rows of `length` elements of a contiguous input (the trailing normalised axes):
// the mean, then the biased variance of x − mean (two passes, f32 accumulation), then
// y = (x − mean) · 1/√(var + eps), times weight and plus bias where HAS_WEIGHT / HAS_BIAS (they
// are bound in any case, to x's buffer when absent). Linked after a header with `alias X` and the
// row-reduction snippet.
override HAS_WEIGHT: bool;
override HAS_BIAS: bool;

struct Params {
  rows: u32,
  length: u32,
  offset_x: u32,
  offset_weight: u32,
  offset_bias: u32,
  eps: f32,
}

@group(0) @binding(0) var<storage, read> x: array<X>;
@group(0) @binding(1) var<storage, read> weight: array<X>;
@group(0) @binding(2) var<storage, read> bias: array<X>;
@group(0) @binding(3) var<storage, read_write> y: array<X>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid, nwg, lid);
  let in_range = row < p.rows;
  let lane = lid % LANES;
  let base = row * p.length;
  let count = f32(p.length);
  var total = 0.0;
  if (in_range) {
    for (var l = lane; l < p.length; l += LANES) {
      total += f32(x[p.offset_x + base + l]);
    }
  }
  let mean = row_sum(lid, total) / count;
  var squares = 0.0;
  if (in_range) {
    for (var l = lane; l < p.length; l += LANES) {
      let centered = f32(x[p.offset_x + base + l]) - mean;
      squares += centered * centered;
    }
  }
  let rstd = 1.0 / sqrt(row_sum(lid, squares) / count + p.eps);
  if (in_range) {
    for (var l = lane; l < p.length; l += LANES) {
      var value = (f32(x[p.offset_x + base + l]) - mean) * rstd;
      if (HAS_WEIGHT) {
        value *= f32(weight[p.offset_weight + l]);
      }
      if (HAS_BIAS) {
        value += f32(bias[p.offset_bias + l]);
      }
      y[base + l] = X(value);
    }
  }
}
