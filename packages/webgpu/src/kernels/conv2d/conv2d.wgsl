// conv2d forward, direct: one invocation per output y[n, oc, oh, ow] sums its taps
// x[n, g·Cg + c, oh·sH − pH + kh·dH, ow·sW − pW + kw·dW] · w[oc, c, kh, kw] (NCHW, contiguous with
// offsets), taps in the zero padding skipped, bias added first when present. Linked after a header
// declaring `alias X` (storage of x, w, bias and y) and conv2d-params.wgsl.
@group(0) @binding(0) var<storage, read> x: array<X>;
@group(0) @binding(1) var<storage, read> w: array<X>;
@group(0) @binding(2) var<storage, read> bias: array<X>;
@group(0) @binding(3) var<storage, read_write> y: array<X>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= p.size) {
    return;
  }
  let cin = p.input.y;
  let h = i32(p.input.z);
  let width = i32(p.input.w);
  let cg = p.weight.y;
  let kh_size = p.weight.z;
  let kw_size = p.weight.w;
  // (n, oc, oh, ow)
  let at = unravel4(i, vec4<u32>(0u, p.weight.x, p.output));
  let n = at.x;
  let oc = at.y;
  let first_channel = (oc / p.out_per_group) * cg;
  var acc = 0.0;
  if (p.has_bias == 1u) {
    acc = f32(bias[p.offset_bias + oc]);
  }
  for (var c = 0u; c < cg; c++) {
    let x_plane = p.offset_x + (n * cin + first_channel + c) * u32(h) * u32(width);
    let w_plane = p.offset_w + (oc * cg + c) * kh_size * kw_size;
    for (var kh = 0u; kh < kh_size; kh++) {
      let ih = tap_input(0u, at.z, kh);
      if (ih < 0 || ih >= h) {
        continue;
      }
      for (var kw = 0u; kw < kw_size; kw++) {
        let iw = tap_input(1u, at.w, kw);
        if (iw < 0 || iw >= width) {
          continue;
        }
        acc += f32(x[x_plane + u32(ih * width + iw)]) * f32(w[w_plane + kh * kw_size + kw]);
      }
    }
  }
  y[i] = X(acc);
}
