// Rows of the causal long-short core's inputs in the packed operand buffer `x` (operands.ts), the
// place of a query-major invocation, and the scores recomputed from them (spec B.5 step 5). Linked
// after causal-common.wgsl and a kernel that binds `x`.
fn q_row(bh: u32, i: u32) -> u32 {
  return section(0u) + (bh * p.M + i) * D;
}

fn u_row(h: u32) -> u32 {
  return section(1u) + h * D;
}

fn v_row(h: u32) -> u32 {
  return section(2u) + h * D;
}

fn kwin_row(bh: u32, rho: u32) -> u32 {
  return section(3u) + (bh * (p.W + p.M) + rho) * D;
}

fn vwin_row(bh: u32, rho: u32) -> u32 {
  return section(4u) + (bh * (p.W + p.M) + rho) * D;
}

fn rwin_row(h: u32, j: u32) -> u32 {
  return section(5u) + (h * p.W + j) * D;
}

fn kbar_row(bh: u32, m: u32) -> u32 {
  return section(6u) + (bh * p.N + m) * D;
}

fn vbar_row(bh: u32, m: u32) -> u32 {
  return section(7u) + (bh * p.N + m) * D;
}

fn rchunk_row(h: u32, row: u32) -> u32 {
  return section(8u) + (h * p.N + row) * D;
}

fn dout_row(bh: u32, i: u32) -> u32 {
  return section(11u) + (bh * p.M + i) * D;
}

// Query `row` of the (B·H, M) rows: head bh, its head index h = bh mod H, position i, and where its
// q row starts in x.
struct Query {
  bh: u32,
  h: u32,
  i: u32,
  qi: u32,
}

fn query_of(row: u32) -> Query {
  let bh = row / p.M;
  let i = row % p.M;
  return Query(bh, bh % p.H, i, q_row(bh, i));
}

// Σ_c x[a + c] · x[b + c].
fn dot_x(a: u32, b: u32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < D; c++) {
    s += x[a + c] * x[b + c];
  }
  return s;
}

// The score of query i (row at qi) against compressed vector m of head (bh, h).
fn compressed_score(bh: u32, h: u32, i: u32, qi: u32, m: u32) -> f32 {
  return dot_x(qi, kbar_row(bh, m)) + dot_x(qi, rchunk_row(h, m + p.N - visible(i)));
}

// The score of query i (row at qi) against window slot j (row ρ = i + 1 + j): (q̂ + u)·K + (q̂ + v)·R.
fn window_score(bh: u32, h: u32, i: u32, qi: u32, j: u32) -> f32 {
  let k = kwin_row(bh, i + 1u + j);
  let r = rwin_row(h, j);
  return dot_x(qi, k) + dot_x(u_row(h), k) + dot_x(qi, r) + dot_x(v_row(h), r);
}
