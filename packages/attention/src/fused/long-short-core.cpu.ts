// CPU kernels of the fused bidirectional long-short core (spec A.3 steps 5–9): per query, an online
// softmax over its r' landmarks and its segment's valid window keys (FlashAttention-2 forward), and
// a backward that recomputes probabilities from the saved logsumexp (dS = P ∘ (dP − D), D = rowsum(dO ∘ O)).
// Work is split into independent units (head × query block forward, head backward) for a thread pool.
import type { CpuKernel, CpuView } from '@longshort/tensor';
import type { LongShortCoreAttrs } from './long-short-core.js';
import { windowExtension } from '../long-short/window.js';
import { OnlineSoftmax, axpy, dot, elementsOf, type FloatArray } from './online-softmax.js';

/** Queries per forward unit when there is no window (with a window, a unit is one segment). */
const queryBlock = 64;

interface Problem {
  readonly B: number;
  readonly H: number;
  readonly n: number;
  readonly d: number;
  /** Landmarks r'. */
  readonly rp: number;
  readonly w: number;
  readonly e: number;
  readonly span: number;
  readonly diagonal: boolean;
  readonly q: FloatArray;
  readonly k: FloatArray;
  readonly v: FloatArray;
  readonly kBar: FloatArray;
  readonly vBar: FloatArray;
  readonly valid: Uint8Array;
}

function problemOf([q, k, v, kBar, vBar, valid]: readonly CpuView[], { window: w, diagonal }: LongShortCoreAttrs): Problem {
  const [B, H, n, d] = q.shape;
  const e = w > 0 ? windowExtension(w) : 0;
  return {
    B, H, n, d, rp: kBar.shape[2], w, e, span: w > 0 ? w + 2 * e : 0, diagonal,
    q: elementsOf(q), k: elementsOf(k), v: elementsOf(v), kBar: elementsOf(kBar), vBar: elementsOf(vBar), valid: elementsOf<Uint8Array>(valid),
  };
}

/** Writes the positions of segment g's valid window keys (slots g·w − e … g·w + w + e − 1) to `keys`; returns their count. */
function windowKeys(p: Problem, b: number, g: number, keys: Int32Array): number {
  let count = 0;
  const first = g * p.w - p.e;
  for (let t = 0; t < p.span; t++) {
    const pos = first + t;
    if (pos >= 0 && pos < p.n && p.valid[b * p.n + pos]) keys[count++] = pos;
  }
  return count;
}

/** Forward of queries [start, end) of head bh (start on a segment boundary when there is a window). */
function forwardBlock(p: Problem, bh: number, start: number, end: number, out: FloatArray, lse: FloatArray, state: OnlineSoftmax, keys: Int32Array): void {
  const { n, d, rp, q, k, v, kBar, vBar } = p;
  const b = Math.floor(bh / p.H);
  const count = p.w > 0 ? windowKeys(p, b, start / p.w, keys) : 0;
  for (let i = start; i < end; i++) {
    const row = bh * n + i;
    const qi = row * d;
    if (!p.valid[b * n + i]) {
      out.fill(0, qi, qi + d);
      lse[row] = 0;
      continue;
    }
    state.reset();
    for (let j = 0; j < rp; j++) {
      const kj = (bh * rp + j) * d;
      state.push(dot(q, qi, kBar, kj, d), vBar, kj);
    }
    for (let t = 0; t < count; t++) {
      const kj = (bh * n + keys[t]) * d;
      state.push(dot(q, qi, k, kj, d), v, kj);
    }
    if (p.diagonal) state.push(dot(q, qi, k, qi, d), v, qi);
    lse[row] = state.finish(out, qi);
  }
}

/** Forward: outputs context (B, H, n, d) and lse (B, H, n). */
export const longShortAttentionCpu: CpuKernel<LongShortCoreAttrs> = (inputs, [out, lse], attrs) => {
  const p = problemOf(inputs, attrs);
  const state = new OnlineSoftmax(p.d);
  const keys = new Int32Array(p.span);
  const block = p.w > 0 ? p.w : queryBlock;
  for (let bh = 0; bh < p.B * p.H; bh++) {
    for (let start = 0; start < p.n; start += block) {
      forwardBlock(p, bh, start, Math.min(start + block, p.n), out.array as FloatArray, lse.array as FloatArray, state, keys);
    }
  }
};

/** Per-unit float64 scratch of the backward: one query's dq and one head's key/value gradients. */
interface BackwardScratch {
  readonly dq: Float64Array;
  readonly dk: Float64Array;
  readonly dv: Float64Array;
  readonly dkBar: Float64Array;
  readonly dvBar: Float64Array;
  readonly keys: Int32Array;
}

/** Saved forward results and upstream gradients, as host arrays. */
interface Upstream {
  readonly out: FloatArray;
  readonly lse: FloatArray;
  readonly dOut: FloatArray;
  readonly dLse: FloatArray;
}

/**
 * One key of query i: p = exp(s − lse), dS = p·(dO·v − D); dq += dS·k, dk += dS·q, dv += p·dO.
 * `kj` indexes keys/values, `gj` the float64 key/value gradient rows.
 */
function backwardKey(p: Problem, u: Upstream, qi: number, lse: number, D: number, keys: FloatArray, values: FloatArray, kj: number,
  dk: Float64Array, dv: Float64Array, gj: number, dq: Float64Array): void {
  const d = p.d;
  const prob = Math.exp(dot(p.q, qi, keys, kj, d) - lse);
  const dS = prob * (dot(u.dOut, qi, values, kj, d) - D);
  axpy(dq, 0, dS, keys, kj, d);
  axpy(dk, gj, dS, p.q, qi, d);
  axpy(dv, gj, prob, u.dOut, qi, d);
}

/** Backward of head bh: writes its rows of dq, dk, dv, dkBar, dvBar. */
function backwardHead(p: Problem, bh: number, u: Upstream, grads: readonly FloatArray[], s: BackwardScratch): void {
  const { n, d, rp, k, v, kBar, vBar } = p;
  const b = Math.floor(bh / p.H);
  const [dqOut, dkOut, dvOut, dkBarOut, dvBarOut] = grads;
  for (const a of [s.dk, s.dv, s.dkBar, s.dvBar]) a.fill(0);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const row = bh * n + i;
    const qi = row * d;
    if (p.w > 0 && i % p.w === 0) count = windowKeys(p, b, i / p.w, s.keys);
    if (!p.valid[b * n + i]) {
      dqOut.fill(0, qi, qi + d);
      continue;
    }
    // NOTE: D − dlse folds the logsumexp output's gradient in: ∂lse/∂s = p.
    const D = dot(u.dOut, qi, u.out, qi, d) - u.dLse[row];
    const lse = u.lse[row];
    s.dq.fill(0);
    for (let j = 0; j < rp; j++) backwardKey(p, u, qi, lse, D, kBar, vBar, (bh * rp + j) * d, s.dkBar, s.dvBar, j * d, s.dq);
    for (let t = 0; t < count; t++) backwardKey(p, u, qi, lse, D, k, v, (bh * n + s.keys[t]) * d, s.dk, s.dv, s.keys[t] * d, s.dq);
    if (p.diagonal) backwardKey(p, u, qi, lse, D, k, v, qi, s.dk, s.dv, i * d, s.dq);
    dqOut.set(s.dq, qi);
  }
  dkOut.set(s.dk, bh * n * d);
  dvOut.set(s.dv, bh * n * d);
  dkBarOut.set(s.dkBar, bh * rp * d);
  dvBarOut.set(s.dvBar, bh * rp * d);
}

/** Backward: inputs q, k, v, kBar, vBar, valid, out, lse, dOut, dLse; outputs dq, dk, dv, dkBar, dvBar. */
export const longShortAttentionBackwardCpu: CpuKernel<LongShortCoreAttrs> = (inputs, outputs, attrs) => {
  const p = problemOf(inputs, attrs);
  const [out, lse, dOut, dLse] = inputs.slice(6).map((view) => elementsOf<FloatArray>(view));
  const { n, d, rp } = p;
  const scratch: BackwardScratch = {
    dq: new Float64Array(d), dk: new Float64Array(n * d), dv: new Float64Array(n * d),
    dkBar: new Float64Array(rp * d), dvBar: new Float64Array(rp * d), keys: new Int32Array(p.span),
  };
  const upstream: Upstream = { out, lse, dOut, dLse };
  const grads = outputs.map((view) => view.array as FloatArray);
  for (let bh = 0; bh < p.B * p.H; bh++) backwardHead(p, bh, upstream, grads, scratch);
};
