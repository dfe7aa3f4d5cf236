// conv2d weight gradient, direct: one invocation per dw[oc, c, kh, kw] sums g[n, oc, oh, ow] ·
// x[n, g·Cg + c, ih, iw] over the batch and every output position whose tap lands inside the input.
// NOTE: a serial loop of N·Ho·Wo terms per invocation; fine for the patch embeddings and small
// convolutions this library runs, a tiled reduction would be the next step for large ones.
// Linked after a header declaring `alias X` and conv2d-params.wgsl.
@group(0) @binding(0) var<storage, read> x: array<X>;
@group(0) @binding(1) var<storage, read> g: array<X>;
@group(0) @binding(2) var<storage, read_write> dw: array<X>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= p.size) {
    return;
  }
  let batch = p.input.x;
  let cin = p.input.y;
  let h = i32(p.input.z);
  let width = i32(p.input.w);
  let cout = p.weight.x;
  let ho = p.output.x;
  let wo = p.output.y;
  // (oc, c, kh, kw)
  let at = unravel4(i, p.weight);
  let oc = at.x;
  let ic = (oc / p.out_per_group) * p.weight.y + at.y;
  var acc = 0.0;
  for (var n = 0u; n < batch; n++) {
    let x_plane = p.offset_x + (n * cin + ic) * u32(h * width);
    let g_plane = p.offset_g + (n * cout + oc) * ho * wo;
    for (var oh = 0u; oh < ho; oh++) {
      let ih = tap_input(0u, oh, at.z);
      if (ih < 0 || ih >= h) {
        continue;
      }
      for (var ow = 0u; ow < wo; ow++) {
        let iw = tap_input(1u, ow, at.w);
        if (iw < 0 || iw >= width) {
          continue;
        }
        acc += f32(g[g_plane + oh * wo + ow]) * f32(x[x_plane + u32(ih * width + iw)]);
      }
    }
  }
  dw[i] = X(acc);
}
