// Float64 loop references written directly from the spec (Part A.3–A.4, Part C.3–C.4), one
// query at a time, with no tensor library: the oracle the composed and fused modules are
// checked against on random configurations beyond the fixtures.

export type Params = Record<string, Float64Array>;

function linear(x: Float64Array, W: Float64Array, b: Float64Array | undefined, inF: number, outF: number): Float64Array {
  const out = new Float64Array(outF);
  for (let o = 0; o < outF; o++) {
    let s = b ? b[o] : 0;
    for (let i = 0; i < inF; i++) s += W[o * inF + i] * x[i];
    out[o] = s;
  }
  return out;
}

function layerNorm(x: Float64Array, w: Float64Array, b: Float64Array, eps: number): Float64Array {
  const n = x.length;
  let mean = 0;
  for (const v of x) mean += v / n;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2 / n;
  const inv = 1 / Math.sqrt(variance + eps);
  return x.map((v, i) => (v - mean) * inv * w[i] + b[i]);
}

function softmax(scores: number[]): number[] {
  const m = Math.max(...scores);
  if (m === -Infinity) return scores.map(() => NaN);
  const e = scores.map((s) => Math.exp(s - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

const dot = (a: Float64Array, ao: number, b: Float64Array, bo: number, d: number) => {
  let s = 0;
  for (let i = 0; i < d; i++) s += a[ao + i] * b[bo + i];
  return s;
};

export interface BidirectionalReferenceConfig {
  dim: number;
  numHeads: number;
  numLandmarks: number;
  windowSize: number;
  cls: boolean;
  eps: number;
}

/**
 * Spec A.3 for one batch element: x (n·D values, the CLS token first when `cls`), mask (n values,
 * excluding the CLS). Returns the output rows (n or 1 + n) · D.
 */
export function bidirectionalReference(x: Float64Array, mask: ArrayLike<number>, p: Params, c: BidirectionalReferenceConfig): Float64Array {
  const { dim: D, numHeads: H, numLandmarks: r, windowSize: w, eps } = c;
  const d = D / H;
  const offset = c.cls ? 1 : 0;
  const n = x.length / D - offset;
  const row = (i: number) => x.subarray((i + offset) * D, (i + offset + 1) * D);
  const Q = Array.from({ length: n }, (_, i) => linear(row(i), p['W_q.weight'], p['W_q.bias'], D, D).map((v) => v / Math.sqrt(d)));
  const K = Array.from({ length: n }, (_, i) => layerNorm(linear(row(i), p['W_k.weight'], p['W_k.bias'], D, D), p['dual_ln_l.weight'], p['dual_ln_l.bias'], eps));
  const V = Array.from({ length: n }, (_, i) => layerNorm(linear(row(i), p['W_v.weight'], p['W_v.bias'], D, D), p['dual_ln_l.weight'], p['dual_ln_l.bias'], eps));
  const pad = (i: number) => mask[i] === 0;
  // Landmarks: softmax over the sequence of the projection logits, per (head, rank).
  const landmarksK: Float64Array[] = [];
  const landmarksV: Float64Array[] = [];
  if (c.cls) {
    landmarksK.push(linear(x.subarray(0, D), p['W_k.weight'], p['W_k.bias'], D, D));
    landmarksV.push(linear(x.subarray(0, D), p['W_v.weight'], p['W_v.bias'], D, D));
  }
  if (r > 0) {
    const logits = Array.from({ length: n }, (_, i) => linear(row(i), p['dconv_fc.weight'], p['dconv_fc.bias'], D, H * r));
    for (let j = 0; j < r; j++) {
      const kj = new Float64Array(D);
      const vj = new Float64Array(D);
      for (let h = 0; h < H; h++) {
        const weights = softmax(logits.map((l, i) => (pad(i) ? -Infinity : l[h * r + j])));
        for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) {
          kj[h * d + t] += weights[i] * K[i][h * d + t];
          vj[h * d + t] += weights[i] * V[i][h * d + t];
        }
      }
      landmarksK.push(kj);
      landmarksV.push(vj);
    }
  }
  const lk = landmarksK.map((k) => layerNorm(k, p['dual_ln_s.weight'], p['dual_ln_s.bias'], eps));
  const lv = landmarksV.map((v) => layerNorm(v, p['dual_ln_s.weight'], p['dual_ln_s.bias'], eps));
  const e = Math.max(Math.floor(w / 2), 1);
  const context = Array.from({ length: n }, () => new Float64Array(D));
  for (let h = 0; h < H; h++) {
    const o = h * d;
    for (let i = 0; i < n; i++) {
      if (pad(i)) continue; // rows of padded queries are zero (spec A.3 step 8)
      const scores: number[] = lk.map((k) => dot(Q[i], o, k, o, d));
      const keys: number[] = [];
      if (w > 0) {
        const g = Math.floor(i / w);
        for (let t = 0; t < w + 2 * e; t++) {
          const pos = g * w - e + t;
          keys.push(pos);
          scores.push(pos >= 0 && pos < n && !pad(pos) ? dot(Q[i], o, K[pos], o, d) : -Infinity);
        }
      } else if (r === 0) {
        keys.push(i);
        scores.push(dot(Q[i], o, K[i], o, d));
      }
      const probs = softmax(scores);
      for (let t = 0; t < d; t++) {
        let s = 0;
        lv.forEach((v, j) => { s += probs[j] * v[o + t]; });
        keys.forEach((pos, j) => { if (pos >= 0 && pos < n && probs[lv.length + j] > 0) s += probs[lv.length + j] * V[pos][o + t]; });
        context[i][o + t] = s;
      }
    }
  }
  const rows: Float64Array[] = [];
  if (c.cls) {
    const cls = x.subarray(0, D);
    const qc = linear(cls, p['W_q.weight'], p['W_q.bias'], D, D).map((v) => v / Math.sqrt(d));
    const kc = linear(cls, p['W_k.weight'], p['W_k.bias'], D, D);
    const vc = linear(cls, p['W_v.weight'], p['W_v.bias'], D, D);
    const out = new Float64Array(D);
    for (let h = 0; h < H; h++) {
      const o = h * d;
      const probs = softmax([dot(qc, o, kc, o, d), ...context.map((ctx, j) => (pad(j) ? -Infinity : dot(qc, o, ctx, o, d)))]);
      for (let t = 0; t < d; t++) out[o + t] = probs[0] * vc[o + t] + context.reduce((s, ctx, j) => s + probs[1 + j] * ctx[o + t], 0);
    }
    rows.push(out);
  }
  rows.push(...context);
  const result = new Float64Array(rows.length * D);
  rows.forEach((v, i) => result.set(linear(v, p['W_o.weight'], p['W_o.bias'], D, D), i * D));
  return result;
}
