// sum / max over any set of axes of a strided input (layout in reduction.wgsl). Each output gets
// LANES invocations: they stride over the reduced elements, then combine in workgroup
// memory by a tree (WGSL has no float atomics). LANES = 1 is a plain loop per output, for short
// reductions. Linked after a header declaring `alias X`, `alias C` (accumulator), `alias Y` and
// `fn identity() -> C`, `fn combine(a: C, b: C) -> C`, `fn load(raw: X) -> C`, `fn store(c: C) -> Y`.
@group(0) @binding(0) var<storage, read> x: array<X>;
@group(0) @binding(1) var<storage, read_write> y: array<Y>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> partial: array<C, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let lane = lid % LANES;
  let output = reduction_output(wid, nwg, lid);
  let in_range = output < p.outputs;
  var acc = identity();
  if (in_range) {
    let base = output_base(output);
    for (var r = lane; r < p.reduced; r += LANES) {
      acc = combine(acc, load(x[base + reduced_offset(r)]));
    }
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride /= 2u) {
    if (lane < stride) {
      partial[lid] = combine(partial[lid], partial[lid + stride]);
    }
    workgroupBarrier();
  }
  if (in_range && lane == 0u) {
    y[output] = store(partial[lid]);
  }
}
