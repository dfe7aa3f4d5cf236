// Shared by the bidirectional long-short core kernels (spec A.3 steps 5–9, A.4): Params, the input
// offsets, the segment-wise window rule and its ranges, and the row blocks of the tiled kernels.
// Linked after a generated header declaring `const D: u32` (head size), `const KT: u32` (rows per
// workgroup tile) and `const CHUNK: u32` (queries per landmark gradient partial), and after the
// kernel, which binds `p`. Every kernel runs WG invocations per workgroup on a (possibly folded)
// 1-D grid.
const WG: u32 = 64u;

// Below every finite score: the running max of a row that has seen no key yet.
const NO_SCORE: f32 = -3.0e38;

struct Params {
  // B·H rows of heads.
  heads: u32,
  H: u32,
  n: u32,
  // Landmarks r'.
  rp: u32,
  w: u32,
  e: u32,
  diagonal: u32,
  // Workgroups per head of this dispatch.
  groups: u32,
  // Query chunks of the landmark gradient partials.
  chunks: u32,
  // Element offsets of the op's inputs, in input order (q, k, v, kBar, vBar, valid, out, lse, dOut, dLse).
  offsets: array<vec4<u32>, 3>,
}

const IN_Q: u32 = 0u;
const IN_K: u32 = 1u;
const IN_V: u32 = 2u;
const IN_KBAR: u32 = 3u;
const IN_VBAR: u32 = 4u;
const IN_VALID: u32 = 5u;
const IN_OUT: u32 = 6u;
const IN_LSE: u32 = 7u;
const IN_DOUT: u32 = 8u;
const IN_DLSE: u32 = 9u;

fn offset_of(input: u32) -> u32 {
  return p.offsets[input / 4u][input % 4u];
}

// Whether query i sees key j among its local keys: with a window, j lies in the window of i's
// segment g (positions g·w − e … g·w + w + e − 1); in the diagonal mode, j is i itself.
fn sees(i: u32, j: u32) -> bool {
  if (p.w == 0u) {
    return p.diagonal != 0u && i == j;
  }
  let start = i32((i / p.w) * p.w) - i32(p.e);
  let position = i32(j);
  return position >= start && position < start + i32(p.w + 2u * p.e);
}

// The local key rows [x, y) that queries first … last can see: their segments' windows clipped to
// [0, n), the queries themselves in the diagonal mode, none otherwise.
fn local_keys_of(first: u32, last: u32) -> vec2<u32> {
  if (p.w == 0u) {
    return select(vec2<u32>(0u), vec2<u32>(first, last + 1u), p.diagonal != 0u);
  }
  let lo = max(i32((first / p.w) * p.w) - i32(p.e), 0);
  return vec2<u32>(u32(lo), min((last / p.w + 1u) * p.w + p.e, p.n));
}

// The query rows [x, y) that can see local keys first … last: with a window, the segments g with
// g·w + w + e > first and g·w − e ≤ last; the keys themselves in the diagonal mode; none otherwise.
fn local_queries_of(first: u32, last: u32) -> vec2<u32> {
  if (p.w == 0u) {
    return select(vec2<u32>(0u), vec2<u32>(first, last + 1u), p.diagonal != 0u);
  }
  let reach = p.w + p.e;
  let lo = select(0u, ((first - reach) / p.w) * p.w, first > reach);
  return vec2<u32>(lo, min(((last + p.e) / p.w + 1u) * p.w, p.n));
}

// The rows of a workgroup of a dispatch of row blocks (forward, dq, dkv): workgroup `group` (of
// heads · groups) takes head bh's rows first … last (WG of them, clipped to n); bh ≥ heads marks an
// excess workgroup of a folded grid. Uniform across the workgroup (barriers may depend on it).
struct Block {
  bh: u32,
  first: u32,
  last: u32,
}

fn block_of(group: u32) -> Block {
  let first = (group % p.groups) * WG;
  return Block(group / p.groups, first, min(first + WG, p.n) - 1u);
}
