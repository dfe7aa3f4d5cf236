// Elementwise map y = op(x) over a strided input of up to 8 axes into a contiguous output: the
// template of the unary ops, cast and contiguous. Linked after a header declaring
// `alias X`, `alias Y` and `fn op(raw: X) -> Y` (see ../elementwise.ts).
override WORKGROUP_SIZE: u32 = 256;
override RANK: u32;

struct Params {
  size: u32,
  offset_x: u32,
  shape: array<vec4<u32>, 2>,
  strides_x: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> x: array<X>;
@group(0) @binding(1) var<storage, read_write> y: array<Y>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = flat_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (index >= p.size) {
    return;
  }
  y[index] = op(x[p.offset_x + strided_offset(index, RANK, p.shape, p.strides_x)]);
}
