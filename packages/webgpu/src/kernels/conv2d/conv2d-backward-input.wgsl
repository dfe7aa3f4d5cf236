// conv2d input gradient, direct: one invocation per dx[n, ic, ih, iw] sums g[n, oc, oh, ow] ·
// w[oc, c, kh, kw] over the output channels of its group and the taps that read it
// (oh = (ih + pH − kh·dH) / sH when that divides exactly and lands inside). No atomics needed.
// Linked after a header declaring `alias X`.
override WORKGROUP_SIZE: u32 = 256;

struct Params {
  size: u32,
  offset_g: u32,
  offset_w: u32,
  // dx (N, Cin, H, W), weight (Cout, Cg, kH, kW), gradient spatial size (Ho, Wo)
  input: vec4<u32>,
  weight: vec4<u32>,
  output: vec2<u32>,
  stride: vec2<i32>,
  padding: vec2<i32>,
  dilation: vec2<i32>,
  out_per_group: u32,
}

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
  let cin = p.input.y;
  let h = p.input.z;
  let width = p.input.w;
  let cout = p.weight.x;
  let cg = p.weight.y;
  let kh_size = p.weight.z;
  let kw_size = p.weight.w;
  let ho = i32(p.output.x);
  let wo = i32(p.output.y);
  let iw = i32(i % width);
  let ih = i32((i / width) % h);
  let ic = (i / (width * h)) % cin;
  let n = i / (width * h * cin);
  let group = ic / cg;
  let c = ic % cg;
  var acc = 0.0;
  for (var oc = group * p.out_per_group; oc < (group + 1u) * p.out_per_group; oc++) {
    let g_plane = p.offset_g + (n * cout + oc) * u32(ho * wo);
    let w_plane = p.offset_w + (oc * cg + c) * kh_size * kw_size;
    for (var kh = 0u; kh < kh_size; kh++) {
      let oh_scaled = ih + p.padding.x - i32(kh) * p.dilation.x;
      if (oh_scaled < 0 || oh_scaled % p.stride.x != 0 || oh_scaled / p.stride.x >= ho) {
        continue;
      }
      let oh = oh_scaled / p.stride.x;
      for (var kw = 0u; kw < kw_size; kw++) {
        let ow_scaled = iw + p.padding.y - i32(kw) * p.dilation.y;
        if (ow_scaled < 0 || ow_scaled % p.stride.y != 0 || ow_scaled / p.stride.y >= wo) {
          continue;
        }
        let ow = ow_scaled / p.stride.y;
        acc += f32(g[g_plane + u32(oh * wo + ow)]) * f32(w[w_plane + kh * kw_size + kw]);
      }
    }
  }
  dx[i] = X(acc);
}
