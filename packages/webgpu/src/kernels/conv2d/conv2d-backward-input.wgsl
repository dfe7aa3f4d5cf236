// conv2d input gradient, direct: one invocation per dx[n, ic, ih, iw] sums g[n, oc, oh, ow] ·
// w[oc, c, kh, kw] over the output channels of its group and the taps that read it
// (oh = (ih + pH − kh·dH) / sH when that divides exactly and lands inside). No atomics needed.
// Linked after a header declaring `alias X` and conv2d-params.wgsl.
@group(0) @binding(0) var<storage, read> g: array<X>;
@group(0) @binding(1) var<storage, read> w: array<X>;
@group(0) @binding(2) var<storage, read_write> dx: array<X>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= p.size) {
    return;
  }
  let cout = p.weight.x;
  let cg = p.weight.y;
  let kh_size = p.weight.z;
  let kw_size = p.weight.w;
  let wo = p.output.y;
  // (n, ic, ih, iw)
  let at = unravel4(i, p.input);
  let group = at.y / cg;
  let c = at.y % cg;
  var acc = 0.0;
  for (var oc = group * p.out_per_group; oc < (group + 1u) * p.out_per_group; oc++) {
    let g_plane = p.offset_g + (at.x * cout + oc) * p.output.x * wo;
    let w_plane = p.offset_w + (oc * cg + c) * kh_size * kw_size;
    for (var kh = 0u; kh < kh_size; kh++) {
      let oh = tap_output(0u, at.z, kh);
      if (oh < 0) {
        continue;
      }
      for (var kw = 0u; kw < kw_size; kw++) {
        let ow = tap_output(1u, at.w, kw);
        if (ow < 0) {
          continue;
        }
        acc += f32(g[g_plane + u32(oh) * wo + u32(ow)]) * f32(w[w_plane + kh * kw_size + kw]);
      }
    }
  }
  dx[i] = X(acc);
}
