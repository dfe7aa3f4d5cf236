// Copies `count` f32 elements of `src` (from element `src_offset`) into `dst` (from element
// `dst_offset`): packs the inputs of a fused op into one operand buffer, so that its kernels bind
// one storage buffer for all of them (devices may allow as few as 8 per shader stage). Linked
// after the index snippet.
override WORKGROUP_SIZE: u32 = 256;

struct Params {
  count: u32,
  src_offset: u32,
  dst_offset: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = flat_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (index < p.count) {
    dst[p.dst_offset + index] = src[p.src_offset + index];
  }
}
