// Index helpers shared by the kernels. Shapes and strides travel in Params as
// array<vec4<u32>, 2> (up to 8 axes); large grids are folded into 2-D dispatches.

// The flat index of this workgroup in a grid folded into (x, y) to stay under 65,535 per dimension.
fn flat_workgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// Entry `i` of a packed list of up to 8 u32 values.
fn elem(v: array<vec4<u32>, 2>, i: u32) -> u32 {
  return v[i / 4u][i % 4u];
}

// The element offset of flat row-major index `index` over `shape` with `strides` (first `rank` axes).
fn strided_offset(index: u32, rank: u32, shape: array<vec4<u32>, 2>, strides: array<vec4<u32>, 2>) -> u32 {
  var rest = index;
  var offset = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let extent = elem(shape, u32(d));
    offset += (rest % extent) * elem(strides, u32(d));
    rest /= extent;
  }
  return offset;
}
