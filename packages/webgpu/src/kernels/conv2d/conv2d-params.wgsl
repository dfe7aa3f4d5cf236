// Params and tap arithmetic shared by the three conv2d kernels (conv2d.ts packs them): the offsets
// of the operands (a kernel reads those it binds; the others are 0), the geometry, and the index
// helpers. Linked before the kernel, which binds `p`.
override WORKGROUP_SIZE: u32 = 256;

struct Params {
  size: u32,
  has_bias: u32,
  offset_x: u32,
  offset_w: u32,
  offset_g: u32,
  offset_bias: u32,
  // input (N, Cin, H, W), weight (Cout, Cg, kH, kW), output spatial size (Ho, Wo)
  input: vec4<u32>,
  weight: vec4<u32>,
  output: vec2<u32>,
  stride: vec2<i32>,
  padding: vec2<i32>,
  dilation: vec2<i32>,
  out_per_group: u32,
}

// The coordinates of flat index `i` in a contiguous 4-D tensor of `shape` (shape.x is not needed).
fn unravel4(i: u32, shape: vec4<u32>) -> vec4<u32> {
  return vec4<u32>(i / (shape.y * shape.z * shape.w), (i / (shape.z * shape.w)) % shape.y, (i / shape.w) % shape.z, i % shape.w);
}

// The input coordinate along spatial `axis` (0: rows, 1: columns) that output coordinate `o` reads
// through tap `k`; outside [0, extent) it lies in the zero padding.
fn tap_input(axis: u32, o: u32, k: u32) -> i32 {
  return i32(o) * p.stride[axis] - p.padding[axis] + i32(k) * p.dilation[axis];
}

// The output coordinate along spatial `axis` whose tap `k` reads input coordinate `i` (the inverse
// of tap_input), or -1 where none does: between strides, or outside the output.
fn tap_output(axis: u32, i: u32, k: u32) -> i32 {
  let scaled = i32(i) + p.padding[axis] - i32(k) * p.dilation[axis];
  if (scaled < 0 || scaled % p.stride[axis] != 0 || scaled / p.stride[axis] >= i32(p.output[axis])) {
    return -1;
  }
  return scaled / p.stride[axis];
}
