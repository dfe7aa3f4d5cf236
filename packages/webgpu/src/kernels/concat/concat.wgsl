// concat, one dispatch per input: copies a strided input into its block of the output, whose
// position along the axis is `offset_y` (a strided scatter-copy). Linked after a header declaring
// `alias X`.
override WORKGROUP_SIZE: u32 = 256;
override RANK: u32;

struct Params {
  size: u32,
  offset_x: u32,
  offset_y: u32,
  shape: array<vec4<u32>, 2>,
  strides_x: array<vec4<u32>, 2>,
  strides_y: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> x: array<X>;
@group(0) @binding(1) var<storage, read_write> y: array<X>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= p.size) {
    return;
  }
  y[p.offset_y + strided_offset(i, RANK, p.shape, p.strides_y)] = x[p.offset_x + strided_offset(i, RANK, p.shape, p.strides_x)];
}
