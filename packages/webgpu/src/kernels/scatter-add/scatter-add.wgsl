// scatterAdd, second pass (the first copies x into y): for every position of the index,
// y[... index ... along the axis ...] += src[position]. Repeated indices collide, so the add is
// atomic: atomicAdd for i32, a compare-exchange loop on the f32 bits otherwise (WGSL has no
// float atomics). Index values outside [0, extent) are skipped and reported.
// Linked after a header declaring `alias X` and `fn add_at(at: u32, value: X)`.
override WORKGROUP_SIZE: u32 = 256;
override RANK: u32;

struct Params {
  size: u32,
  extent: u32,
  offset_index: u32,
  offset_src: u32,
  axis_stride: u32,
  check_id: u32,
  shape: array<vec4<u32>, 2>,
  strides_y: array<vec4<u32>, 2>,
  strides_index: array<vec4<u32>, 2>,
  strides_src: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> index: array<i32>;
@group(0) @binding(1) var<storage, read> src: array<X>;
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
    return;
  }
  // strides_y (of the contiguous output) is 0 on the axis: the index value supplies that coordinate.
  add_at(strided_offset(i, RANK, p.shape, p.strides_y) + u32(value) * p.axis_stride,
         src[p.offset_src + strided_offset(i, RANK, p.shape, p.strides_src)]);
}
