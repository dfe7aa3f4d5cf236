// argmax along one axis of a strided input: the reduction scheme of reduce.wgsl (LANES
// invocations per output, a tree in workgroup memory) over (value, index) pairs. The first
// maximum wins and NaN counts as the maximum, as in PyTorch; `better` is order-independent, so
// the tree gives the same answer as a left-to-right scan. Linked after a header declaring
// `alias X` and `alias C` (f32 or i32).
@group(0) @binding(0) var<storage, read> x: array<X>;
@group(0) @binding(1) var<storage, read_write> y: array<i32>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> best_values: array<C, WORKGROUP_SIZE>;
var<workgroup> best_indices: array<u32, WORKGROUP_SIZE>;

fn nan_like(v: C) -> bool {
  return is_nan(f32(v));
}

// Whether (va, ia) beats (vb, ib): NaN first, then the larger value, then the smaller index.
fn better(va: C, ia: u32, vb: C, ib: u32) -> bool {
  let a_nan = nan_like(va);
  let b_nan = nan_like(vb);
  if (a_nan || b_nan) {
    return a_nan && (!b_nan || ia < ib);
  }
  return va > vb || (va == vb && ia < ib);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let lane = lid % LANES;
  let output = reduction_output(wid, nwg, lid);
  let in_range = output < p.outputs;
  // An invocation with no element holds index 0xffffffff, which every real candidate beats.
  var value = C(0);
  var index = 0xffffffffu;
  if (in_range) {
    let base = output_base(output);
    for (var r = lane; r < p.reduced; r += LANES) {
      let v = C(x[base + reduced_offset(r)]);
      if (index == 0xffffffffu || better(v, r, value, index)) {
        value = v;
        index = r;
      }
    }
  }
  best_values[lid] = value;
  best_indices[lid] = index;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride /= 2u) {
    if (lane < stride) {
      let other = best_indices[lid + stride];
      if (other != 0xffffffffu && (best_indices[lid] == 0xffffffffu
          || better(best_values[lid + stride], other, best_values[lid], best_indices[lid]))) {
        best_values[lid] = best_values[lid + stride];
        best_indices[lid] = other;
      }
    }
    workgroupBarrier();
  }
  if (in_range && lane == 0u) {
    y[output] = i32(best_indices[lid]);
  }
}
