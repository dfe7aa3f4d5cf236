// where(cond, a, b) with broadcasting of all three inputs (strided, stride 0 on broadcast axes)
// into a contiguous output. Linked after a header declaring `alias A`, `alias B`, `alias Y` and
// `fn pick(c: u32, a_raw: A, b_raw: B) -> Y` (see where.ts).
override WORKGROUP_SIZE: u32 = 256;
override RANK: u32;

struct Params {
  size: u32,
  offset_c: u32,
  offset_a: u32,
  offset_b: u32,
  shape: array<vec4<u32>, 2>,
  strides_c: array<vec4<u32>, 2>,
  strides_a: array<vec4<u32>, 2>,
  strides_b: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<storage, read> c: array<u32>;
@group(0) @binding(1) var<storage, read> a: array<A>;
@group(0) @binding(2) var<storage, read> b: array<B>;
@group(0) @binding(3) var<storage, read_write> y: array<Y>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let index = flat_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (index >= p.size) {
    return;
  }
  let at = unravel(index, RANK, p.shape);
  y[index] = pick(c[p.offset_c + offset_at(at, RANK, p.strides_c)], a[p.offset_a + offset_at(at, RANK, p.strides_a)],
                  b[p.offset_b + offset_at(at, RANK, p.strides_b)]);
}
