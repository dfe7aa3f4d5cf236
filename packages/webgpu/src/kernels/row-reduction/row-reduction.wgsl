// Rows reduced by a group of LANES invocations each (a power of two ≤ WORKGROUP_SIZE, so that
// WORKGROUP_SIZE / LANES rows share a workgroup): the softmax and layer-norm kernels. Each lane
// strides over its row; row_sum / row_max combine the lanes' values by a tree in workgroup memory
// (f32: f16 rows accumulate in f32). Both contain barriers: call them in uniform control flow,
// from every invocation, also those past the last row. Linked after the index snippet.
override WORKGROUP_SIZE: u32 = 256;
override LANES: u32;

var<workgroup> lanes: array<f32, WORKGROUP_SIZE>;

// The row this invocation works on (it may be ≥ the row count in the last workgroup).
fn row_of(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return flat_workgroup(wid, nwg) * (WORKGROUP_SIZE / LANES) + lid / LANES;
}

// The sum (take_max false) or NaN-propagating maximum of `value` over the lanes of this row.
fn row_combine(lid: u32, value: f32, take_max: bool) -> f32 {
  let lane = lid % LANES;
  lanes[lid] = value;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride /= 2u) {
    if (lane < stride) {
      let a = lanes[lid];
      let b = lanes[lid + stride];
      lanes[lid] = select(a + b, max_f32(a, b), take_max);
    }
    workgroupBarrier();
  }
  let result = lanes[lid - lane];
  // NOTE: the next call overwrites `lanes`; every lane must have read its row's result first.
  workgroupBarrier();
  return result;
}

fn row_sum(lid: u32, value: f32) -> f32 {
  return row_combine(lid, value, false);
}

fn row_max(lid: u32, value: f32) -> f32 {
  return row_combine(lid, value, true);
}
