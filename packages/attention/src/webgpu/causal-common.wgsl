// Shared by the causal long-short core kernels (spec B.5 steps 5–6): Params (with where each input
// lives in the packed operand buffer, operands.ts) and the chunk visibility rule. Linked after a
// generated header declaring `const D: u32` (head size), and after the kernel, which binds `p`.
// One invocation per item (query or row), WG per workgroup, on a (folded) 1-D grid.
const WG: u32 = 64u;

struct Params {
  // B·H rows of heads.
  heads: u32,
  H: u32,
  // Queries M, window W, compressed vectors N.
  M: u32,
  W: u32,
  N: u32,
  // Chunk size ℓ, compressed vectors per chunk r, memory chunks C_mem.
  l: u32,
  r: u32,
  cmem: u32,
  // First element in x of each input, in input order (q, u, v, kWin, vWin, rWin, kBar, vBar, rChunk,
  // then out, lse, dOut, dLse in the backward).
  sections: array<vec4<u32>, 4>,
}

fn section(input: u32) -> u32 {
  return p.sections[input / 4u][input % 4u];
}

// Query i sees the compressed vectors m < (C_mem + ⌊i/ℓ⌋)·r; m's R_chunk row is m + N − limit.
fn visible(i: u32) -> u32 {
  return (p.cmem + i / p.l) * p.r;
}

