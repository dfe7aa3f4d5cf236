// WebAssembly SIMD kernels of the fused causal long-short core (spec B.5 steps 5–6) for the fast
// CPU backend. One chunk a of ℓ queries [s, s + ℓ) sees the same compressed vectors m < limit =
// (C_mem + a)·r and the window rows s + 1 … s + ℓ + W − 1 (query i sees row i + 1 + j, j < W),
// so its scores are small GEMMs: Q·K̄ᵀ + Q·R_chunkᵀ (rows shift … N − 1, shift = N − limit), and the
// band of (Q + u)·K_winᵀ plus (Q + v)·R_winᵀ. Forward items: (head, chunk); backward items: one head,
// whose chunks accumulate in order into that head's rows of every gradient (no sharing between items).
import type { CpuKernel, CpuWasm } from '@longshort/tensor';
import { emitGemm, type FunctionBuilder, type Local, type ModuleBuilder } from '@longshort/tensor/internal';
import type { CausalCoreAttrs } from './causal-core.js';
import { causalLongShortAttentionBackwardCpu, causalLongShortAttentionCpu } from './causal-core.cpu.js';
import {
  Locals, address, emitAddRow, emitDot, emitExpRow, emitGemmCall, emitRowMax, emitScaleRow, emitScoreGradRow, emitSumRows, emitZero, push, readDescriptor, scratchPointers, type Operand,
} from './wasm-emit.js';
import { align16, fusedGemmScratchBytes, fusedGemmShape, fusedModule, refreshed, viewPointers, withScratch, writeI32 } from './wasm-call.js';

/** The descriptor's i32 fields: addresses (bytes), sizes, per-thread scratch offsets (bytes from the thread's block). */
const fields = [
  'q', 'u', 'vb', 'kWin', 'vWin', 'rWin', 'kBar', 'vBar', 'rChunk', 'out', 'lse', 'sums', 'dOut', 'dLse',
  'dq', 'du', 'dv', 'dkWin', 'dvWin', 'drWin', 'dkBar', 'dvBar', 'drChunk',
  'scratch', 'stride', 'H', 'M', 'd', 'W', 'N', 'l', 'r', 'cMem', 'ldS', 'ldT',
  'offQv', 'offS', 'offP', 'offT', 'offTp', 'offU', 'offTmp', 'offGemm',
] as const;
type Field = (typeof fields)[number];

/** Locals of one chunk. */
class Chunk {
  readonly L: Locals;
  readonly p: Record<Field, Local>;
  readonly f: FunctionBuilder;
  readonly bh: Local;
  readonly h: Local;
  readonly a: Local;
  readonly s: Local;
  readonly limit: Local;
  readonly shift: Local;
  /** Window rows of the chunk: ℓ + W − 1. */
  readonly band: Local;
  readonly dBytes: Local;
  readonly sBytes: Local;
  readonly tBytes: Local;
  /** Bytes of one score row: (limit + W)·4. */
  readonly cBytes: Local;
  readonly wBytes: Local;
  readonly Qu: Local;
  readonly Qv: Local;
  readonly S: Local;
  readonly P: Local;
  readonly T: Local;
  readonly Tp: Local;
  readonly U: Local;
  readonly Tmp: Local;
  readonly gemmScratch: Local;

  constructor(f: FunctionBuilder, readonly gemmFn: FunctionBuilder, thread: Local, desc: Local) {
    this.f = f;
    const L = (this.L = new Locals(f));
    const p = (this.p = readDescriptor(L, desc, fields));
    [this.bh, this.h, this.a, this.s, this.limit, this.shift, this.band, this.dBytes, this.sBytes, this.tBytes, this.cBytes, this.wBytes] =
      ['bh', 'h', 'a', 's', 'limit', 'shift', 'band', 'dBytes', 'sBytes', 'tBytes', 'cBytes', 'wBytes'].map((n) => L.i(n));
    [this.Qu, this.Qv, this.S, this.P, this.T, this.Tp, this.U, this.Tmp, this.gemmScratch] =
      ['Qu', 'Qv', 'S', 'P', 'T', 'Tp', 'U', 'Tmp', 'gemmScratch'].map((n) => L.i(n));
    scratchPointers(f, p.scratch, thread, p.stride, this.Qu, [
      [this.Qv, p.offQv], [this.S, p.offS], [this.P, p.offP], [this.T, p.offT], [this.Tp, p.offTp], [this.U, p.offU],
      [this.Tmp, p.offTmp], [this.gemmScratch, p.offGemm],
    ]);
    f.get(p.d).i32Const(2).i32Shl().set(this.dBytes);
    f.get(p.ldS).i32Const(2).i32Shl().set(this.sBytes);
    f.get(p.ldT).i32Const(2).i32Shl().set(this.tBytes);
    f.get(p.W).i32Const(2).i32Shl().set(this.wBytes);
    f.get(p.l).get(p.W).i32Add().i32Const(1).i32Sub().set(this.band);
  }

  gemm(...args: Operand[]): void {
    emitGemmCall(this.f, this.gemmFn, this.gemmScratch, args);
  }

  /** Pushes the address of the chunk's first query row (plus row `i`) in a (B, H, M, d) tensor. */
  queryRow(base: Local, i?: Local): void {
    address(this.f, base, () => {
      this.f.get(this.bh).get(this.p.M).i32Mul().get(this.s).i32Add();
      if (i) this.f.get(i).i32Add();
    }, this.dBytes);
  }

  /** Pushes the address of window row s + 1 (+ row `i`) in a (B, H, W + M, d) tensor. */
  windowRow(base: Local, i?: Local): void {
    address(this.f, base, () => {
      this.f.get(this.bh).get(this.p.W).get(this.p.M).i32Add().i32Mul().get(this.s).i32Add().i32Const(1).i32Add();
      if (i) this.f.get(i).i32Add();
    }, this.dBytes);
  }

  /** Pushes the element index bh·M + s + i of query i (lse-shaped tensors). */
  rowIndex(i: Local): void {
    this.f.get(this.bh).get(this.p.M).i32Mul().get(this.s).i32Add().get(i).i32Add();
  }

  /** Pushes the address of row `row` of head h's block in an (H, rows, d) tensor. */
  headRow(base: Local, rows: Local, row: Operand): void {
    this.rowOf(this.h, base, rows, row);
  }

  /** Pushes the address of row `row` of this bh's block in a (B, H, rows, d) tensor. */
  bhRow(base: Local, rows: Local, row: Operand): void {
    this.rowOf(this.bh, base, rows, row);
  }

  private rowOf(block: Local, base: Local, rows: Local, row: Operand): void {
    address(this.f, base, () => push(this.f.get(block).get(rows).i32Mul(), row).i32Add(), this.dBytes);
  }
}

/** Sets the chunk's bounds for (bh, a) and its scores S (ℓ × [limit | W]); also Qu = Q + u, Qv = Q + v. */
function emitScores(c: Chunk): void {
  const { f, L, p } = c;
  const [i, src, dst, t, x, y] = ['sc.i', 'sc.src', 'sc.dst', 'sc.t', 'sc.x', 'sc.y'].map((n) => L.i(n));
  f.get(c.bh).get(p.H).i32DivS().set(t);
  f.get(c.bh).get(t).get(p.H).i32Mul().i32Sub().set(c.h);
  f.get(c.a).get(p.l).i32Mul().set(c.s);
  f.get(p.cMem).get(c.a).i32Add().get(p.r).i32Mul().set(c.limit);
  f.get(p.N).get(c.limit).i32Sub().set(c.shift);
  f.get(c.limit).get(p.W).i32Add().i32Const(2).i32Shl().set(c.cBytes);
  f.forRange(i, () => f.i32Const(0), () => f.get(p.l), 1, () => {
    c.queryRow(p.q, i);
    f.set(src);
    address(f, c.Qu, i, c.dBytes).set(dst);
    address(f, p.u, c.h, c.dBytes).set(x);
    emitSumRows(L, dst, src, x, c.dBytes);
    address(f, c.Qv, i, c.dBytes).set(dst);
    address(f, p.vb, c.h, c.dBytes).set(x);
    emitSumRows(L, dst, src, x, c.dBytes);
  });
  f.get(c.limit).if(() => {
    c.gemm(() => c.queryRow(p.q), () => c.bhRow(p.kBar, p.N, 0), c.S, p.l, c.limit, p.d, p.d, 1, 1, p.d, p.ldS);
    c.gemm(() => c.queryRow(p.q), () => c.headRow(p.rChunk, p.N, c.shift), c.Tp, p.l, c.limit, p.d, p.d, 1, 1, p.d, p.ldT);
    f.forRange(i, () => f.i32Const(0), () => f.get(p.l), 1, () => {
      address(f, c.S, i, c.sBytes).set(dst);
      address(f, c.Tp, i, c.tBytes).set(src);
      f.get(c.limit).i32Const(2).i32Shl().set(y);
      emitAddRow(L, dst, src, y);
    });
  });
  c.gemm(c.Qu, () => c.windowRow(p.kWin), c.T, p.l, c.band, p.d, p.d, 1, 1, p.d, p.ldT);
  c.gemm(c.Qv, () => c.headRow(p.rWin, p.W, 0), c.U, p.l, p.W, p.d, p.d, 1, 1, p.d, p.ldT);
  // S[i][limit + j] = T[i][i + j] + U[i][j].
  f.forRange(i, () => f.i32Const(0), () => f.get(p.l), 1, () => {
    address(f, c.S, i, c.sBytes).get(c.limit).i32Const(2).i32Shl().i32Add().set(dst);
    address(f, c.T, i, c.tBytes).get(i).i32Const(2).i32Shl().i32Add().set(src);
    address(f, c.U, i, c.tBytes).set(x);
    emitSumRows(L, dst, src, x, c.wBytes);
  });
}

/** into (ℓ × band, ld T) = the band of `from`'s window columns: into[i][i + j] = from[i][limit + j], zero elsewhere. */
function emitEmbedBand(c: Chunk, into: Local, from: Local): void {
  const { f, L, p } = c;
  const i = L.i('band.i');
  emitZero(f, into, () => f.get(p.l).get(c.tBytes).i32Mul());
  f.forRange(i, () => f.i32Const(0), () => f.get(p.l), 1, () => {
    address(f, into, i, c.tBytes).get(i).i32Const(2).i32Shl().i32Add();
    address(f, from, i, c.sBytes).get(c.limit).i32Const(2).i32Shl().i32Add();
    f.get(c.wBytes).memoryCopy();
  });
}

/** dst rows (ld d) += `rows` rows of Tmp (ld d). */
function emitAddTmp(c: Chunk, dst: () => void, rows: Operand): void {
  const { f, L } = c;
  const [i, to, from] = ['tmp.i', 'tmp.to', 'tmp.from'].map((n) => L.i(n));
  dst();
  f.set(to);
  f.get(c.Tmp).set(from);
  f.forRange(i, () => f.i32Const(0), () => push(f, rows), 1, () => {
    emitAddRow(L, to, from, c.dBytes);
    f.get(to).get(c.dBytes).i32Add().set(to);
    f.get(from).get(c.dBytes).i32Add().set(from);
  });
}

/** `causal_forward(thread, begin, end, desc)`: items (bh, a) = (item / C, item mod C), C = M / ℓ. */
function emitForward(m: ModuleBuilder, gemmFn: FunctionBuilder): void {
  m.function('causal_forward', ['i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [thread, begin, end, desc] = f.params;
    const c = new Chunk(f, gemmFn, thread, desc);
    const { L, p } = c;
    const [item, chunks, i, srow, oBlk] = ['item', 'chunks', 'i', 'srow', 'oBlk'].map((n) => L.i(n));
    const [mx, sum, shift, alpha] = [L.s('mx'), L.s('sum'), L.v('shift'), L.v('alpha')];
    f.get(p.M).get(p.l).i32DivS().set(chunks);
    f.forRange(item, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(item).get(chunks).i32DivS().set(c.bh);
      f.get(item).get(c.bh).get(chunks).i32Mul().i32Sub().set(c.a);
      emitScores(c);
      f.forRange(i, () => f.i32Const(0), () => f.get(p.l), 1, () => {
        address(f, c.S, i, c.sBytes).set(srow);
        emitRowMax(L, srow, c.cBytes);
        f.tee(mx).f32x4Splat().set(shift);
        emitExpRow(L, srow, shift, c.cBytes);
        f.set(sum);
        f.f32Const(1).get(sum).f32Div().f32x4Splat().set(alpha);
        emitScaleRow(L, srow, alpha, c.cBytes);
        address(f, p.lse, () => c.rowIndex(i), 4).get(mx).f32Store();
        address(f, p.sums, () => c.rowIndex(i), 4).get(sum).f32Store();
      });
      c.queryRow(p.out);
      f.set(oBlk);
      emitEmbedBand(c, c.T, c.S);
      c.gemm(c.T, () => c.windowRow(p.vWin), oBlk, p.l, p.d, c.band, p.ldT, 1, p.d, 1, p.d);
      f.get(c.limit).if(() => {
        c.gemm(c.S, () => c.bhRow(p.vBar, p.N, 0), c.Tmp, p.l, p.d, c.limit, p.ldS, 1, p.d, 1, p.d);
        emitAddTmp(c, () => f.get(oBlk), p.l);
      });
    });
  });
}

/** `causal_backward(thread, begin, end, desc)`: items bh; chunks in order, each adding into the head's gradient rows. */
function emitBackward(m: ModuleBuilder, gemmFn: FunctionBuilder): void {
  m.function('causal_backward', ['i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [thread, begin, end, desc] = f.params;
    const c = new Chunk(f, gemmFn, thread, desc);
    const { L, p } = c;
    const [chunks, i, srow, prow, oi, ki, dqBlk, from, to] = ['chunks', 'i', 'srow', 'prow', 'oi', 'ki', 'dqBlk', 'from', 'to'].map((n) => L.i(n));
    const [D, shift] = [L.s('D'), L.v('shift')];
    f.get(p.M).get(p.l).i32DivS().set(chunks);
    f.forRange(c.bh, () => f.get(begin), () => f.get(end), 1, () => {
      f.forRange(c.a, () => f.i32Const(0), () => f.get(chunks), 1, () => {
        emitScores(c);
        // dP: compressed columns from V̄, window columns from the band of dO · V_winᵀ.
        f.get(c.limit).if(() => c.gemm(() => c.queryRow(p.dOut), () => c.bhRow(p.vBar, p.N, 0), c.P, p.l, c.limit, p.d, p.d, 1, 1, p.d, p.ldS));
        c.gemm(() => c.queryRow(p.dOut), () => c.windowRow(p.vWin), c.T, p.l, c.band, p.d, p.d, 1, 1, p.d, p.ldT);
        f.forRange(i, () => f.i32Const(0), () => f.get(p.l), 1, () => {
          address(f, c.P, i, c.sBytes).get(c.limit).i32Const(2).i32Shl().i32Add();
          address(f, c.T, i, c.tBytes).get(i).i32Const(2).i32Shl().i32Add();
          f.get(c.wBytes).memoryCopy();
          // P = e^(S − lse) in S; dS = P ∘ (dP − D) in P, D = dO·O − dlse.
          address(f, c.S, i, c.sBytes).set(srow);
          address(f, c.P, i, c.sBytes).set(prow);
          c.queryRow(p.dOut, i);
          f.set(oi);
          c.queryRow(p.out, i);
          f.set(ki);
          emitDot(L, oi, ki, c.dBytes);
          address(f, p.dLse, () => c.rowIndex(i), 4).f32Load().f32Sub().set(D);
          address(f, p.lse, () => c.rowIndex(i), 4).f32Load().f32x4Splat().set(shift);
          emitScoreGradRow(L, srow, prow, shift, D, c.cBytes);
        });
        const windowP = () => f.get(c.P).get(c.limit).i32Const(2).i32Shl().i32Add();
        // dq = dS_c·(K̄ + R_chunk) + band(dS_w)·K_win + dS_w·R_win; du, dv sum the last two's rows.
        c.queryRow(p.dq);
        f.set(dqBlk);
        f.get(c.limit).if(() => {
          c.gemm(c.P, () => c.bhRow(p.kBar, p.N, 0), dqBlk, p.l, p.d, c.limit, p.ldS, 1, p.d, 1, p.d);
          c.gemm(c.P, () => c.headRow(p.rChunk, p.N, c.shift), c.Tmp, p.l, p.d, c.limit, p.ldS, 1, p.d, 1, p.d);
          emitAddTmp(c, () => f.get(dqBlk), p.l);
        }, () => emitZero(f, dqBlk, () => f.get(p.l).get(c.dBytes).i32Mul()));
        emitEmbedBand(c, c.T, c.P);
        const intoQueryAndBias = (bias: Local) => {
          emitAddTmp(c, () => f.get(dqBlk), p.l);
          f.forRange(i, () => f.i32Const(0), () => f.get(p.l), 1, () => {
            address(f, bias, c.bh, c.dBytes).set(to);
            address(f, c.Tmp, i, c.dBytes).set(from);
            emitAddRow(L, to, from, c.dBytes);
          });
        };
        c.gemm(c.T, () => c.windowRow(p.kWin), c.Tmp, p.l, p.d, c.band, p.ldT, 1, p.d, 1, p.d);
        intoQueryAndBias(p.du);
        c.gemm(windowP, () => c.headRow(p.rWin, p.W, 0), c.Tmp, p.l, p.d, p.W, p.ldS, 1, p.d, 1, p.d);
        intoQueryAndBias(p.dv);
        // dK̄ = dR_chunk(shifted) = dS_cᵀ·Q, dV̄ = P_cᵀ·dO.
        f.get(c.limit).if(() => {
          c.gemm(c.P, () => c.queryRow(p.q), c.Tmp, c.limit, p.d, p.l, 1, p.ldS, p.d, 1, p.d);
          emitAddTmp(c, () => c.bhRow(p.dkBar, p.N, 0), c.limit);
          emitAddTmp(c, () => c.bhRow(p.drChunk, p.N, c.shift), c.limit);
          c.gemm(c.S, () => c.queryRow(p.dOut), c.Tmp, c.limit, p.d, p.l, 1, p.ldS, p.d, 1, p.d);
          emitAddTmp(c, () => c.bhRow(p.dvBar, p.N, 0), c.limit);
        });
        // dK_win = band(dS_w)ᵀ·(Q + u), dR_win = dS_wᵀ·(Q + v), dV_win = band(P_w)ᵀ·dO.
        c.gemm(c.T, c.Qu, c.Tmp, c.band, p.d, p.l, 1, p.ldT, p.d, 1, p.d);
        emitAddTmp(c, () => c.windowRow(p.dkWin), c.band);
        c.gemm(windowP, c.Qv, c.Tmp, p.W, p.d, p.l, 1, p.ldS, p.d, 1, p.d);
        emitAddTmp(c, () => c.bhRow(p.drWin, p.W, 0), p.W);
        emitEmbedBand(c, c.Tp, c.S);
        c.gemm(c.Tp, () => c.queryRow(p.dOut), c.Tmp, c.band, p.d, p.l, 1, p.ldT, p.d, 1, p.d);
        emitAddTmp(c, () => c.windowRow(p.dvWin), c.band);
      });
    });
  });
}

function emitCausal(m: ModuleBuilder): void {
  const gemmFn = emitGemm(m, fusedGemmShape);
  emitForward(m, gemmFn);
  emitBackward(m, gemmFn);
}

/** The descriptor values (sizes and per-thread scratch layout) of one call. */
function planOf(shapeQ: readonly number[], W: number, N: number, { chunkSize: l, chunkRank: r, memoryChunks: cMem }: CausalCoreAttrs): Record<Field, number> {
  const [, H, M, d] = shapeQ;
  const band = l + W - 1;
  const ldS = Math.ceil((N + W) / 4) * 4;
  const ldT = Math.ceil(Math.max(band, N) / 4) * 4;
  const queries = l * d * 4;
  // Per-thread regions in order (Qu at offset 0): [offset field, bytes].
  const regions: [Field | null, number][] = [
    [null, queries], ['offQv', queries], ['offS', l * ldS * 4], ['offP', l * ldS * 4], ['offT', l * ldT * 4], ['offTp', l * ldT * 4],
    ['offU', l * ldT * 4], ['offTmp', Math.max(band, N) * d * 4], ['offGemm', fusedGemmScratchBytes],
  ];
  const values = Object.fromEntries(fields.map((name) => [name, 0])) as Record<Field, number>;
  let stride = 0;
  for (const [name, bytes] of regions) {
    if (name) values[name] = stride;
    stride += align16(bytes);
  }
  return Object.assign(values, { stride, H, M, d, W, N, l, r, cMem, ldS, ldT });
}

const descriptor = (values: Record<Field, number>) => fields.map((name) => values[name]);
const inputFields: readonly Field[] = ['q', 'u', 'vb', 'kWin', 'vWin', 'rWin', 'kBar', 'vBar', 'rChunk'];

/**
 * The causal forward kernel for a backend with a wasm runtime: f32 tensors in its memory on SIMD
 * and its threads, anything else on the JS kernel.
 * @example backend.registerKernel('causalLongShortAttention', causalLongShortAttentionWasm(backend.wasm!));
 */
export function causalLongShortAttentionWasm(wasm: CpuWasm): CpuKernel<CausalCoreAttrs> {
  return (inputs, outputs, attrs) => {
    const [B, H, M] = inputs[0].shape;
    const views = viewPointers(wasm, [...inputs, ...outputs]);
    if (!views || B * H * M === 0) return causalLongShortAttentionCpu(inputs, outputs, attrs);
    const values = planOf(inputs[0].shape, inputs[5].shape[1], inputs[6].shape[2], attrs);
    const module = fusedModule(wasm, 'causal', emitCausal);
    const rows = B * H * M;
    const done = withScratch(wasm, [fields.length * 4, values.stride * wasm.threads, rows * 4], ([desc, scratch, sums]) => {
      inputFields.forEach((name, i) => (values[name] = views[i]));
      Object.assign(values, { out: views[9], lse: views[10], sums, scratch });
      writeI32(wasm, desc, descriptor(values));
      wasm.parallelFor(module, 'causal_forward', B * H * (M / attrs.chunkSize), [desc]);
      // lse = max + log Σ.
      const lse = new Float32Array(wasm.memory.buffer, views[10], rows);
      const total = new Float32Array(wasm.memory.buffer, sums, rows);
      for (let r = 0; r < rows; r++) lse[r] += Math.log(total[r]);
    });
    if (!done) causalLongShortAttentionCpu(refreshed(inputs), refreshed(outputs), attrs);
  };
}

/** The backward op's outputs after dq, all accumulated per head (zeroed first). */
const gradientFields: readonly Field[] = ['du', 'dv', 'dkWin', 'dvWin', 'drWin', 'dkBar', 'dvBar', 'drChunk'];

/**
 * The causal backward kernel for a backend with a wasm runtime (f32 in its memory; else the JS kernel).
 * @example backend.registerKernel('causalLongShortAttentionBackward', causalLongShortAttentionBackwardWasm(backend.wasm!));
 */
export function causalLongShortAttentionBackwardWasm(wasm: CpuWasm): CpuKernel<CausalCoreAttrs> {
  return (inputs, outputs, attrs) => {
    const [B, H, M] = inputs[0].shape;
    const views = viewPointers(wasm, [...inputs, ...outputs]);
    if (!views || B * H * M === 0) return causalLongShortAttentionBackwardCpu(inputs, outputs, attrs);
    const values = planOf(inputs[0].shape, inputs[5].shape[1], inputs[6].shape[2], attrs);
    const module = fusedModule(wasm, 'causal', emitCausal);
    const done = withScratch(wasm, [fields.length * 4, values.stride * wasm.threads], ([desc, scratch]) => {
      inputFields.forEach((name, i) => (values[name] = views[i]));
      Object.assign(values, { out: views[9], lse: views[10], dOut: views[11], dLse: views[12], dq: views[13], scratch });
      gradientFields.forEach((name, i) => {
        values[name] = views[14 + i];
        new Float32Array(wasm.memory.buffer, views[14 + i], outputs[1 + i].shape.reduce((a, b) => a * b, 1)).fill(0);
      });
      writeI32(wasm, desc, descriptor(values));
      wasm.parallelFor(module, 'causal_backward', B * H, [desc]);
    });
    if (!done) causalLongShortAttentionBackwardCpu(refreshed(inputs), refreshed(outputs), attrs);
  };
}
