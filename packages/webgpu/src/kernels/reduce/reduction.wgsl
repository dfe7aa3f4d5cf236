// The layout shared by the reductions (reduce.wgsl, argmax.wgsl): LANES invocations per output
// (a power of two ≤ WORKGROUP_SIZE), kept and reduced axes of a strided input, each merged, in
// Params (see reductionLayout in reduce.ts). Linked before the kernel, which binds `p`.
override WORKGROUP_SIZE: u32 = 256;
override LANES: u32;
override KEPT_RANK: u32;
override REDUCED_RANK: u32;

struct Params {
  outputs: u32,
  reduced: u32,
  offset_x: u32,
  kept_shape: array<vec4<u32>, 2>,
  kept_strides: array<vec4<u32>, 2>,
  reduced_shape: array<vec4<u32>, 2>,
  reduced_strides: array<vec4<u32>, 2>,
}

// The output this invocation works on (it may be ≥ p.outputs in the last workgroup).
fn reduction_output(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return flat_workgroup(wid, nwg) * (WORKGROUP_SIZE / LANES) + lid / LANES;
}

// The offset in x of the first element reduced into `output`.
fn output_base(output: u32) -> u32 {
  return p.offset_x + strided_offset(output, KEPT_RANK, p.kept_shape, p.kept_strides);
}

// The offset of reduced element `r` from an output's base.
fn reduced_offset(r: u32) -> u32 {
  return strided_offset(r, REDUCED_RANK, p.reduced_shape, p.reduced_strides);
}
