// Batched matmul y = op(a) · op(b) with strided operands: transposes are stride swaps, broadcast
// batch axes have stride 0. Each invocation computes a 4×4 block in registers (8×8 invocations →
// a 32×32 tile per workgroup): the variant measured fastest on CPU adapters (workgroup-memory
// tiling was slower there, docs/toolchain.md). Loads use clamped indices, so they stay in bounds
// and need no checks in the inner loop; results outside (M, N) are never stored.
// The header declares `alias A`, bindings 1 (b) and 2 (y), and the variant's
// `fn load_b(columns: vec4<u32>, k_offset: u32) -> vec4<f32>` and
// `fn store_row(offset: u32, columns_left: u32, value: vec4<f32>)` (scalar, or vec4 where aligned).
override BATCH_RANK: u32;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  batch_start: u32,
  offset_a: u32,
  offset_b: u32,
  // a's strides along M and K; b's strides along K and N.
  a_row: u32,
  a_col: u32,
  b_row: u32,
  b_col: u32,
  batch_shape: array<vec4<u32>, 2>,
  a_batch_strides: array<vec4<u32>, 2>,
  b_batch_strides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> a: array<A>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = (wid.y * 8u + lid.y) * 4u;
  let col0 = (wid.x * 8u + lid.x) * 4u;
  if (row0 >= p.m || col0 >= p.n) {
    return;
  }
  let batch = wid.z + p.batch_start;
  let at = unravel(batch, BATCH_RANK, p.batch_shape);
  let a_base = p.offset_a + offset_at(at, BATCH_RANK, p.a_batch_strides);
  let b_base = p.offset_b + offset_at(at, BATCH_RANK, p.b_batch_strides);
  let lanes = vec4<u32>(0u, 1u, 2u, 3u);
  let rows = vec4<u32>(a_base) + min(vec4<u32>(row0) + lanes, vec4<u32>(p.m - 1u)) * p.a_row;
  let columns = vec4<u32>(b_base) + min(vec4<u32>(col0) + lanes, vec4<u32>(p.n - 1u)) * p.b_col;
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < p.k; k++) {
    let b_values = load_b(columns, k * p.b_row);
    let k_a = k * p.a_col;
    acc[0] += f32(a[rows.x + k_a]) * b_values;
    acc[1] += f32(a[rows.y + k_a]) * b_values;
    acc[2] += f32(a[rows.z + k_a]) * b_values;
    acc[3] += f32(a[rows.w + k_a]) * b_values;
  }
  let out_base = batch * p.m * p.n + row0 * p.n + col0;
  for (var r = 0u; r < 4u; r++) {
    if (row0 + r < p.m) {
      store_row(out_base + r * p.n, p.n - col0, acc[r]);
    }
  }
}
