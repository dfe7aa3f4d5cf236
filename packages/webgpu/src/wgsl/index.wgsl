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

// The row-major coordinates of flat index `index` over the first `rank` axes of `shape`.
fn unravel(index: u32, rank: u32, shape: array<vec4<u32>, 2>) -> array<u32, 8> {
  var coordinates: array<u32, 8>;
  var rest = index;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let extent = elem(shape, u32(d));
    coordinates[d] = rest % extent;
    rest /= extent;
  }
  return coordinates;
}

// The element offset of `coordinates` (first `rank` axes) with `strides`; 0 strides broadcast.
fn offset_at(coordinates: array<u32, 8>, rank: u32, strides: array<vec4<u32>, 2>) -> u32 {
  var offset = 0u;
  for (var d = 0u; d < rank; d++) {
    offset += coordinates[d] * elem(strides, d);
  }
  return offset;
}

// The element offset of flat row-major index `index` over `shape` with `strides` (first `rank` axes).
fn strided_offset(index: u32, rank: u32, shape: array<vec4<u32>, 2>, strides: array<vec4<u32>, 2>) -> u32 {
  return offset_at(unravel(index, rank, shape), rank, strides);
}
