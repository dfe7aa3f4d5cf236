// softmax along one axis of a contiguous tensor, seen as rows of `length` elements `inner` apart
// (the last axis: inner = 1). Three passes over the row: the maximum, Σ exp(x − shift), then the
// quotients, with the composite's conventions (ops/softmax): an all −∞ row is shifted by 0 and a
// zero sum divides by 1 (zeros out), NaN or +∞ in a row makes it NaN. Linked after a header with
// `alias X` and the row-reduction snippet.
struct Params {
  rows: u32,
  length: u32,
  inner: u32,
  offset_x: u32,
}

@group(0) @binding(0) var<storage, read> x: array<X>;
@group(0) @binding(1) var<storage, read_write> y: array<X>;
@group(0) @binding(2) var<uniform> p: Params;

// The output offset of element `l` of row `row` (the input's is p.offset_x more).
fn element(row: u32, l: u32) -> u32 {
  return (row / p.inner) * p.length * p.inner + row % p.inner + l * p.inner;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid, nwg, lid);
  let in_range = row < p.rows;
  let lane = lid % LANES;
  let negative_infinity = -from_bits(0x7f800000u);
  var top = negative_infinity;
  if (in_range) {
    for (var l = lane; l < p.length; l += LANES) {
      top = max_f32(top, f32(x[p.offset_x + element(row, l)]));
    }
  }
  top = row_max(lid, top);
  let shift = select(top, 0.0, top == negative_infinity);
  var total = 0.0;
  if (in_range) {
    for (var l = lane; l < p.length; l += LANES) {
      total += exp_f32(f32(x[p.offset_x + element(row, l)]) - shift);
    }
  }
  total = row_sum(lid, total);
  let divisor = select(total, 1.0, total == 0.0);
  if (in_range) {
    for (var l = lane; l < p.length; l += LANES) {
      let at = element(row, l);
      y[at] = X(exp_f32(f32(x[p.offset_x + at]) - shift) / divisor);
    }
  }
}
