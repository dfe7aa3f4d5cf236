// gather and indexSelect: out[i] = x[... index(i) ... along AXIS ...] for every output position,
// with x and the index both strided (indexSelect's 1-D index arrives broadcast to the output's
// shape with stride 0 off the axis). Index values outside [0, extent) store 0 and are reported.
// Linked after a header declaring `alias X`.
override WORKGROUP_SIZE: u32 = 256;
override RANK: u32;

struct Params {
  size: u32,
  extent: u32,
  offset_x: u32,
  offset_index: u32,
  axis_stride: u32,
  check_id: u32,
  shape: array<vec4<u32>, 2>,
  strides_x: array<vec4<u32>, 2>,
  strides_index: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> x: array<X>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> y: array<X>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>, 4>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= p.size) {
    return;
  }
  let value = checked_index(i);
  if (value < 0) {
    y[i] = X(0);
    return;
  }
  // strides_x is 0 on the axis: the index value supplies that coordinate.
  y[i] = x[p.offset_x + strided_offset(i, RANK, p.shape, p.strides_x) + u32(value) * p.axis_stride];
}
