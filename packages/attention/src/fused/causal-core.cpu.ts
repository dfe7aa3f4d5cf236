// CPU kernels of the fused causal long-short core (spec B.5 steps 5–6): per query i of chunk a, an
// online softmax over the visible compressed vectors m < (C_mem + a)·r (score q̂·K̄_m + q̂·R_chunk[δ],
// δ = (C_mem + a)·r − 1 − m) and the W window rows ρ = i + 1 + j (score (q̂ + u)·K_win[ρ] + (q̂ + v)·R_win[j]);
// the backward recomputes probabilities from the saved logsumexp. Units: head × chunk forward, head backward.
import type { CpuKernel, CpuView } from '@longshort/tensor';
import type { CausalCoreAttrs } from './causal-core.js';
import { OnlineSoftmax, axpy, dot, elementsOf, type FloatArray } from './online-softmax.js';

interface Problem {
  readonly B: number;
  readonly H: number;
  readonly M: number;
  readonly d: number;
  readonly W: number;
  readonly N: number;
  readonly l: number;
  readonly r: number;
  readonly cMem: number;
  readonly q: FloatArray;
  readonly u: FloatArray;
  readonly vb: FloatArray;
  readonly kWin: FloatArray;
  readonly vWin: FloatArray;
  readonly rWin: FloatArray;
  readonly kBar: FloatArray;
  readonly vBar: FloatArray;
  readonly rChunk: FloatArray;
}

function problemOf(inputs: readonly CpuView[], { chunkSize: l, chunkRank: r, memoryChunks: cMem }: CausalCoreAttrs): Problem {
  const [q, u, vb, kWin, vWin, rWin, kBar, vBar, rChunk] = inputs.map((view) => elementsOf<FloatArray>(view));
  const [B, H, M, d] = inputs[0].shape;
  return { B, H, M, d, W: inputs[5].shape[1], N: inputs[6].shape[2], l, r, cMem, q, u, vb, kWin, vWin, rWin, kBar, vBar, rChunk };
}

/** Index helpers of one head: bases of its rows in every input. */
interface Head {
  readonly h: number;
  /** First element of this head's rows in q / out (M rows), kWin / vWin (W + M rows), kBar / vBar (N rows). */
  readonly q: number;
  readonly win: number;
  readonly bar: number;
  /** First element of head h in rWin (W rows) and rChunk (N rows). */
  readonly rWin: number;
  readonly rChunk: number;
}

function headOf(p: Problem, bh: number): Head {
  const h = bh % p.H;
  return { h, q: bh * p.M * p.d, win: bh * (p.W + p.M) * p.d, bar: bh * p.N * p.d, rWin: h * p.W * p.d, rChunk: h * p.N * p.d };
}

/**
 * Query i sees the compressed vectors m < (C_mem + ⌊i/ℓ⌋)·r. The R_chunk row of m is
 * N − 1 − δ = m + N − limit, with δ = limit − 1 − m.
 */
function visibleCompressed(p: Problem, i: number): number {
  return (p.cMem + Math.floor(i / p.l)) * p.r;
}

/** (q̂ + u) and (q̂ + v) of query row qi of head h, into `qu` and `qv`. */
function biasedQueries(p: Problem, h: number, qi: number, qu: Float64Array, qv: Float64Array): void {
  for (let c = 0; c < p.d; c++) {
    qu[c] = p.q[qi + c] + p.u[h * p.d + c];
    qv[c] = p.q[qi + c] + p.vb[h * p.d + c];
  }
}

/** Forward of queries [start, end) of head bh. */
function forwardBlock(p: Problem, bh: number, start: number, end: number, out: FloatArray, lse: FloatArray, state: OnlineSoftmax, qu: Float64Array, qv: Float64Array): void {
  const { d, W, q, kBar, vBar, rChunk, kWin, vWin, rWin } = p;
  const head = headOf(p, bh);
  for (let i = start; i < end; i++) {
    const qi = head.q + i * d;
    const limit = visibleCompressed(p, i);
    const shift = p.N - limit;
    biasedQueries(p, head.h, qi, qu, qv);
    state.reset();
    for (let m = 0; m < limit; m++) {
      const km = head.bar + m * d;
      state.push(dot(q, qi, kBar, km, d) + dot(q, qi, rChunk, head.rChunk + (m + shift) * d, d), vBar, km);
    }
    for (let j = 0; j < W; j++) {
      const kr = head.win + (i + 1 + j) * d;
      state.push(dot(qu, 0, kWin, kr, d) + dot(qv, 0, rWin, head.rWin + j * d, d), vWin, kr);
    }
    lse[bh * p.M + i] = state.finish(out, qi);
  }
}

/** Forward: outputs context (B, H, M, d) and lse (B, H, M). */
export const causalLongShortAttentionCpu: CpuKernel<CausalCoreAttrs> = (inputs, [out, lse], attrs) => {
  const p = problemOf(inputs, attrs);
  const state = new OnlineSoftmax(p.d);
  const qu = new Float64Array(p.d);
  const qv = new Float64Array(p.d);
  for (let bh = 0; bh < p.B * p.H; bh++) {
    for (let start = 0; start < p.M; start += p.l) {
      forwardBlock(p, bh, start, start + p.l, out.array as FloatArray, lse.array as FloatArray, state, qu, qv);
    }
  }
};

/** Float64 gradient accumulators of one head (rows as in the outputs of the backward op). */
interface HeadGrads {
  readonly dq: Float64Array;
  readonly du: Float64Array;
  readonly dv: Float64Array;
  readonly dkWin: Float64Array;
  readonly dvWin: Float64Array;
  readonly drWin: Float64Array;
  readonly dkBar: Float64Array;
  readonly dvBar: Float64Array;
  readonly drChunk: Float64Array;
}

/** Backward of head bh: accumulates in `g` (float64), then writes its rows of every output. */
function backwardHead(p: Problem, bh: number, upstream: readonly FloatArray[], outputs: readonly FloatArray[], g: HeadGrads, qu: Float64Array, qv: Float64Array): void {
  const { M, d, W, q, kBar, vBar, rChunk, kWin, vWin, rWin } = p;
  const [out, lse, dOut, dLse] = upstream;
  const head = headOf(p, bh);
  for (const a of [g.du, g.dv, g.dkWin, g.dvWin, g.drWin, g.dkBar, g.dvBar, g.drChunk]) a.fill(0);
  for (let i = 0; i < M; i++) {
    const qi = head.q + i * d;
    const limit = visibleCompressed(p, i);
    const shift = p.N - limit;
    biasedQueries(p, head.h, qi, qu, qv);
    // NOTE: D − dlse folds the logsumexp output's gradient in: ∂lse/∂s = p.
    const D = dot(dOut, qi, out, qi, d) - dLse[bh * M + i];
    const L = lse[bh * M + i];
    g.dq.fill(0);
    for (let m = 0; m < limit; m++) {
      const km = head.bar + m * d;
      const rm = head.rChunk + (m + shift) * d;
      const prob = Math.exp(dot(q, qi, kBar, km, d) + dot(q, qi, rChunk, rm, d) - L);
      const dS = prob * (dot(dOut, qi, vBar, km, d) - D);
      axpy(g.dq, 0, dS, kBar, km, d);
      axpy(g.dq, 0, dS, rChunk, rm, d);
      axpy(g.dkBar, m * d, dS, q, qi, d);
      axpy(g.drChunk, (m + shift) * d, dS, q, qi, d);
      axpy(g.dvBar, m * d, prob, dOut, qi, d);
    }
    for (let j = 0; j < W; j++) {
      const rho = i + 1 + j;
      const kr = head.win + rho * d;
      const rj = head.rWin + j * d;
      const prob = Math.exp(dot(qu, 0, kWin, kr, d) + dot(qv, 0, rWin, rj, d) - L);
      const dS = prob * (dot(dOut, qi, vWin, kr, d) - D);
      axpy(g.dq, 0, dS, kWin, kr, d);
      axpy(g.dq, 0, dS, rWin, rj, d);
      axpy(g.du, 0, dS, kWin, kr, d);
      axpy(g.dv, 0, dS, rWin, rj, d);
      axpy(g.dkWin, rho * d, dS, qu, 0, d);
      axpy(g.drWin, j * d, dS, qv, 0, d);
      axpy(g.dvWin, rho * d, prob, dOut, qi, d);
    }
    outputs[0].set(g.dq, qi);
  }
  const [, du, dv, dkWin, dvWin, drWin, dkBar, dvBar, drChunk] = outputs;
  du.set(g.du, bh * d);
  dv.set(g.dv, bh * d);
  dkWin.set(g.dkWin, head.win);
  dvWin.set(g.dvWin, head.win);
  drWin.set(g.drWin, bh * W * d);
  dkBar.set(g.dkBar, head.bar);
  dvBar.set(g.dvBar, head.bar);
  drChunk.set(g.drChunk, head.bar);
}

/** Backward: inputs q, u, v, kWin, vWin, rWin, kBar, vBar, rChunk, out, lse, dOut, dLse; outputs as causalLongShortAttentionBackwardOp. */
export const causalLongShortAttentionBackwardCpu: CpuKernel<CausalCoreAttrs> = (inputs, outputs, attrs) => {
  const p = problemOf(inputs.slice(0, 9), attrs);
  const { M, d, W, N } = p;
  const g: HeadGrads = {
    dq: new Float64Array(d), du: new Float64Array(d), dv: new Float64Array(d),
    dkWin: new Float64Array((W + M) * d), dvWin: new Float64Array((W + M) * d), drWin: new Float64Array(W * d),
    dkBar: new Float64Array(N * d), dvBar: new Float64Array(N * d), drChunk: new Float64Array(N * d),
  };
  const upstream = inputs.slice(9).map((view) => elementsOf<FloatArray>(view));
  const grads = outputs.map((view) => view.array as FloatArray);
  const qu = new Float64Array(d);
  const qv = new Float64Array(d);
  for (let bh = 0; bh < p.B * p.H; bh++) backwardHead(p, bh, upstream, grads, g, qu, qv);
};
