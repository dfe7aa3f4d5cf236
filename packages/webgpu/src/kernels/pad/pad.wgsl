// Constant padding: each output element reads the (strided) input where its coordinates minus the
// leading pad fall inside the input, and takes `value` elsewhere. Linked after a header declaring
// `alias X` (= Y, pad keeps the dtype), `alias Y` and `alias C` (the type `value` is packed in).
override WORKGROUP_SIZE: u32 = 256;
override RANK: u32;

struct Params {
  size: u32,
  offset_x: u32,
  value: C,
  shape: array<vec4<u32>, 2>,
  input_shape: array<vec4<u32>, 2>,
  before: array<vec4<u32>, 2>,
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
  var at = unravel(index, RANK, p.shape);
  var inside = true;
  for (var d = 0u; d < RANK; d++) {
    let before = elem(p.before, d);
    inside = inside && at[d] >= before && at[d] - before < elem(p.input_shape, d);
    at[d] -= before;
  }
  if (inside) {
    y[index] = x[p.offset_x + offset_at(at, RANK, p.strides_x)];
  } else {
    y[index] = Y(p.value);
  }
}
