// WebAssembly SIMD kernels of the fused bidirectional long-short core (spec A.3 steps 5–9) for the
// fast CPU backend, FlashAttention-2 style: a work item is one segment of w queries of one head
// (64 queries without a window); it gathers its [r' landmarks | valid window keys], scores them
// with the packed GEMM, takes the softmax per row and multiplies by the gathered values. The
// backward recomputes P from the saved logsumexp (dS = P ∘ (dP − D)); window-key gradients are
// added by segments far enough apart to never share a key (passes in a fixed order), landmark
// gradients per segment and then summed in segment order: results do not depend on the threads.
import type { CpuKernel, CpuView, CpuWasm } from '@longshort/tensor';
import { emitGemm, type FunctionBuilder, type Local, type ModuleBuilder } from '@longshort/tensor/internal';
import { windowExtension } from '../long-short/window.js';
import type { LongShortCoreAttrs } from './long-short-core.js';
import { longShortAttentionBackwardCpu, longShortAttentionCpu } from './long-short-core.cpu.js';
import {
  Locals, address, type Operand, emitAddRow, emitGemmCall, emitAxpy, emitDot, emitExpRow, emitExpScalar, emitMin, emitRowMax, emitScaleRow, emitScoreGradRow, emitZero, readDescriptor, scratchPointers,
} from './wasm-emit.js';
import { align16, fusedGemmScratchBytes, fusedGemmShape, fusedModule, refreshed, viewPointers, withScratch, writeI32 } from './wasm-call.js';

/** Queries per work item when there is no window (with a window, an item is one segment). */
const queryBlock = 64;

/** The descriptor's i32 fields: addresses (bytes), sizes, per-thread scratch offsets (bytes from the thread's block). */
const fields = [
  'q', 'k', 'v', 'kBar', 'vBar', 'valid', 'out', 'lse', 'sums', 'dOut', 'dLse', 'dq', 'dk', 'dv', 'lbuf', 'dkBar', 'dvBar',
  'scratch', 'stride', 'H', 'n', 'd', 'rp', 'w', 'e', 'span', 'diagonal', 'block', 'G', 'ldS', 'passes',
  'offVg', 'offS', 'offP', 'offDg', 'offDd', 'offPos', 'offTK', 'offTV', 'offGemm',
] as const;
type Field = (typeof fields)[number];
type Fields = Record<Field, Local>;

/** The per-work-item locals and pointers both directions share. */
interface Item {
  readonly L: Locals;
  readonly p: Fields;
  readonly gemm: FunctionBuilder;
  readonly bh: Local;
  readonly g: Local;
  readonly b: Local;
  readonly start: Local;
  readonly rows: Local;
  /** Gathered keys: r' landmarks, then the valid window keys. */
  readonly c: Local;
  readonly dBytes: Local;
  readonly cBytes: Local;
  /** Bytes per row of the score tiles S and P. */
  readonly sBytes: Local;
  readonly Kg: Local;
  readonly Vg: Local;
  readonly S: Local;
  readonly P: Local;
  readonly Dg: Local;
  readonly Dd: Local;
  readonly Pos: Local;
  readonly TK: Local;
  readonly TV: Local;
  readonly gemmScratch: Local;
}

/** Reads the descriptor and sets the thread's scratch pointers. */
function itemLocals(f: FunctionBuilder, gemm: FunctionBuilder, thread: Local, desc: Local): Item {
  const L = new Locals(f);
  const p = readDescriptor(L, desc, fields);
  const it: Item = {
    L, p, gemm, bh: L.i('bh'), g: L.i('g'), b: L.i('b'), start: L.i('start'), rows: L.i('rows'), c: L.i('c'), dBytes: L.i('dBytes'), sBytes: L.i('sBytes'), cBytes: L.i('cBytes'),
    Kg: L.i('Kg'), Vg: L.i('Vg'), S: L.i('S'), P: L.i('P'), Dg: L.i('Dg'), Dd: L.i('Dd'), Pos: L.i('Pos'), TK: L.i('TK'), TV: L.i('TV'), gemmScratch: L.i('gemmScratch'),
  };
  scratchPointers(f, p.scratch, thread, p.stride, it.Kg, [
    [it.Vg, p.offVg], [it.S, p.offS], [it.P, p.offP], [it.Dg, p.offDg], [it.Dd, p.offDd], [it.Pos, p.offPos],
    [it.TK, p.offTK], [it.TV, p.offTV], [it.gemmScratch, p.offGemm],
  ]);
  f.get(p.d).i32Const(2).i32Shl().set(it.dBytes);
  f.get(p.ldS).i32Const(2).i32Shl().set(it.sBytes);
  return it;
}

/** Sets b, start, rows for (bh, g) and gathers the item's keys and values into Kg, Vg (positions of window keys into Pos). */
function emitGather(it: Item): void {
  const { L, p } = it;
  const f = L.f;
  const [t, pos, n] = [L.i('gather.t'), L.i('gather.pos'), L.i('gather.n')];
  f.get(it.bh).get(p.H).i32DivS().set(it.b);
  f.get(it.g).get(p.block).i32Mul().set(it.start);
  f.get(p.n).get(it.start).i32Sub().set(n);
  emitMin(f, n, p.block).set(it.rows);
  f.i32Const(0).set(it.c);
  const copy = (keys: Local, values: Local, row: () => void) => {
    address(f, it.Kg, it.c, it.dBytes);
    address(f, keys, row, it.dBytes).get(it.dBytes).memoryCopy();
    address(f, it.Vg, it.c, it.dBytes);
    address(f, values, row, it.dBytes).get(it.dBytes).memoryCopy();
  };
  f.forRange(t, () => f.i32Const(0), () => f.get(p.rp), 1, () => {
    copy(p.kBar, p.vBar, () => f.get(it.bh).get(p.rp).i32Mul().get(t).i32Add());
    f.get(it.c).i32Const(1).i32Add().set(it.c);
  });
  f.forRange(t, () => f.i32Const(0), () => f.get(p.span), 1, () => {
    f.get(it.g).get(p.w).i32Mul().get(p.e).i32Sub().get(t).i32Add().tee(pos);
    f.i32Const(0).i32GeS().get(pos).get(p.n).i32LtS().i32And().if(() => {
      address(f, p.valid, it.b, p.n).get(pos).i32Add().i32Load8U().if(() => {
        copy(p.k, p.v, () => f.get(it.bh).get(p.n).i32Mul().get(pos).i32Add());
        address(f, it.Pos, it.c, 4).get(pos).i32Store();
        f.get(it.c).i32Const(1).i32Add().set(it.c);
      });
    });
  });
  f.get(it.c).i32Const(2).i32Shl().set(it.cBytes);
}

/** Pushes the byte address of row `i` of the item's block in a (B, H, n, d) tensor at `base`. */
function blockRow(it: Item, base: Local, i: Local | null): void {
  const f = it.L.f;
  address(f, base, () => {
    f.get(it.bh).get(it.p.n).i32Mul().get(it.start).i32Add();
    if (i) f.get(i).i32Add();
  }, it.dBytes);
}

/** Pushes whether query `i` of the block is valid (i32). */
function queryValid(it: Item, i: Local): void {
  address(it.L.f, it.p.valid, it.b, it.p.n).get(it.start).i32Add().get(i).i32Add().i32Load8U();
}

/** Pushes the element index (bh·n + start + i) of query i, for lse-shaped (B, H, n) tensors. */
function rowIndex(it: Item, i: Local): void {
  it.L.f.get(it.bh).get(it.p.n).i32Mul().get(it.start).i32Add().get(i).i32Add();
}

/** gemm(a, b, c, rows, cols, k, rsA, csA, rsB, csB, ldc) with the thread's scratch; arguments as locals or constants. */
function gemm(it: Item, ...args: Operand[]): void {
  emitGemmCall(it.L.f, it.gemm, it.gemmScratch, args);
}

/** `ls_forward(thread, begin, end, desc)`: items (bh, g) = (item / G, item mod G). */
function emitForward(m: ModuleBuilder, gemmFn: FunctionBuilder): void {
  m.function('ls_forward', ['i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [thread, begin, end, desc] = f.params;
    const it = itemLocals(f, gemmFn, thread, desc);
    const { L, p } = it;
    const [item, i, srow, qi, ki, mx, sum, shift, alpha] = [L.i('item'), L.i('i'), L.i('srow'), L.i('qi'), L.i('ki'), L.s('mx'), L.s('sum'), L.v('shift'), L.v('alpha')];
    const [cell, oBlk] = [L.i('cell'), L.i('oBlk')];
    f.forRange(item, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(item).get(p.G).i32DivS().set(it.bh);
      f.get(item).get(it.bh).get(p.G).i32Mul().i32Sub().set(it.g);
      emitGather(it);
      f.get(it.c).if(() => gemm(it, () => blockRow(it, p.q, null), it.Kg, it.S, it.rows, it.c, p.d, p.d, 1, 1, p.d, p.ldS));
      f.forRange(i, () => f.i32Const(0), () => f.get(it.rows), 1, () => {
        address(f, it.S, i, it.sBytes).set(srow);
        address(f, it.Dg, i, 4).set(cell);
        f.get(p.diagonal).if(() => {
          blockRow(it, p.q, i);
          f.set(qi);
          blockRow(it, p.k, i);
          f.set(ki);
          f.get(cell);
          emitDot(L, qi, ki, it.dBytes);
          f.f32Store();
        });
        queryValid(it, i);
        f.if(() => {
          emitRowMax(L, srow, it.cBytes);
          f.set(mx);
          f.get(p.diagonal).if(() => f.get(mx).get(cell).f32Load().f32Max().set(mx));
          f.get(mx).f32x4Splat().set(shift);
          emitExpRow(L, srow, shift, it.cBytes);
          f.set(sum);
          f.get(p.diagonal).if(() => {
            f.get(cell).get(cell).f32Load().get(mx).f32Sub();
            emitExpScalar(L);
            f.f32Store();
            f.get(sum).get(cell).f32Load().f32Add().set(sum);
            f.get(cell).get(cell).f32Load().get(sum).f32Div().f32Store();
          });
          f.f32Const(1).get(sum).f32Div().f32x4Splat().set(alpha);
          emitScaleRow(L, srow, alpha, it.cBytes);
          address(f, p.lse, () => rowIndex(it, i), 4).get(mx).f32Store();
          address(f, p.sums, () => rowIndex(it, i), 4).get(sum).f32Store();
        }, () => {
          emitZero(f, srow, it.cBytes);
          f.get(cell).f32Const(0).f32Store();
          address(f, p.lse, () => rowIndex(it, i), 4).f32Const(0).f32Store();
          address(f, p.sums, () => rowIndex(it, i), 4).f32Const(1).f32Store();
        });
      });
      blockRow(it, p.out, null);
      f.set(oBlk);
      f.get(it.c).if(
        () => gemm(it, it.S, it.Vg, oBlk, it.rows, p.d, it.c, p.ldS, 1, p.d, 1, p.d),
        () => emitZero(f, oBlk, () => f.get(it.rows).get(it.dBytes).i32Mul()));
      f.get(p.diagonal).if(() => {
        f.forRange(i, () => f.i32Const(0), () => f.get(it.rows), 1, () => {
          address(f, it.Dg, i, 4).f32Load().f32x4Splat().set(alpha);
          blockRow(it, p.out, i);
          f.set(qi);
          blockRow(it, p.v, i);
          f.set(ki);
          emitAxpy(L, qi, ki, alpha, it.dBytes);
        });
      });
    });
  });
}

/**
 * `ls_backward(thread, begin, end, desc, pass)`: items (bh, g) with g ≡ pass (mod passes), so the
 * segments of one pass never share a window key; dk and dv are accumulated in place.
 */
function emitBackward(m: ModuleBuilder, gemmFn: FunctionBuilder): void {
  m.function('ls_backward', ['i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [thread, begin, end, desc, pass] = f.params;
    const it = itemLocals(f, gemmFn, thread, desc);
    const { L, p } = it;
    const [item, perHead, i, t, srow, prow, qi, ki, oi, cell, dcell, blk] = ['item', 'perHead', 'i', 't', 'srow', 'prow', 'qi', 'ki', 'oi', 'cell', 'dcell', 'blk'].map((n) => L.i(n));
    const [lse, D, prob] = [L.s('lse'), L.s('D'), L.s('prob')];
    const [shift, alpha] = [L.v('shift'), L.v('alpha')];
    // perHead = ⌈(G − pass) / passes⌉ items of this pass per head.
    f.get(p.G).get(pass).i32Sub().get(p.passes).i32Add().i32Const(1).i32Sub().get(p.passes).i32DivS().set(perHead);
    f.forRange(item, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(item).get(perHead).i32DivS().set(it.bh);
      f.get(item).get(it.bh).get(perHead).i32Mul().i32Sub().get(p.passes).i32Mul().get(pass).i32Add().set(it.g);
      emitGather(it);
      f.get(it.c).if(() => {
        gemm(it, () => blockRow(it, p.q, null), it.Kg, it.S, it.rows, it.c, p.d, p.d, 1, 1, p.d, p.ldS);
        gemm(it, () => blockRow(it, p.dOut, null), it.Vg, it.P, it.rows, it.c, p.d, p.d, 1, 1, p.d, p.ldS);
      });
      f.forRange(i, () => f.i32Const(0), () => f.get(it.rows), 1, () => {
        address(f, it.S, i, it.sBytes).set(srow);
        address(f, it.P, i, it.sBytes).set(prow);
        address(f, it.Dg, i, 4).set(cell);
        address(f, it.Dd, i, 4).set(dcell);
        queryValid(it, i);
        f.if(() => {
          address(f, p.lse, () => rowIndex(it, i), 4).f32Load().set(lse);
          // NOTE: D − dlse folds the logsumexp output's gradient in: ∂lse/∂s = p.
          blockRow(it, p.dOut, i);
          f.set(oi);
          blockRow(it, p.out, i);
          f.set(ki);
          emitDot(L, oi, ki, it.dBytes);
          address(f, p.dLse, () => rowIndex(it, i), 4).f32Load().f32Sub().set(D);
          f.get(lse).f32x4Splat().set(shift);
          // P = e^(S − lse) in S; dS = P ∘ (dP − D) in P.
          emitScoreGradRow(L, srow, prow, shift, D, it.cBytes);
          f.get(p.diagonal).if(() => {
            blockRow(it, p.q, i);
            f.set(qi);
            blockRow(it, p.k, i);
            f.set(ki);
            emitDot(L, qi, ki, it.dBytes);
            f.get(lse).f32Sub();
            emitExpScalar(L);
            f.set(prob);
            f.get(cell).get(prob).f32Store();
            blockRow(it, p.v, i);
            f.set(ki);
            f.get(dcell);
            emitDot(L, oi, ki, it.dBytes);
            f.get(D).f32Sub().get(prob).f32Mul().f32Store();
          });
        }, () => {
          emitZero(f, srow, it.cBytes);
          emitZero(f, prow, it.cBytes);
          f.get(cell).f32Const(0).f32Store();
          f.get(dcell).f32Const(0).f32Store();
        });
      });
      // dq = dS · Kg (+ the diagonal key).
      blockRow(it, p.dq, null);
      f.set(blk);
      f.get(it.c).if(
        () => gemm(it, it.P, it.Kg, blk, it.rows, p.d, it.c, p.ldS, 1, p.d, 1, p.d),
        () => emitZero(f, blk, () => f.get(it.rows).get(it.dBytes).i32Mul()));
      f.get(p.diagonal).if(() => {
        f.forRange(i, () => f.i32Const(0), () => f.get(it.rows), 1, () => {
          blockRow(it, p.dq, i);
          f.set(oi);
          blockRow(it, p.k, i);
          f.set(ki);
          address(f, it.Dd, i, 4).f32Load().f32x4Splat().set(alpha);
          emitAxpy(L, oi, ki, alpha, it.dBytes);
          blockRow(it, p.dk, i);
          f.set(oi);
          blockRow(it, p.q, i);
          f.set(ki);
          emitAxpy(L, oi, ki, alpha, it.dBytes);
          blockRow(it, p.dv, i);
          f.set(oi);
          blockRow(it, p.dOut, i);
          f.set(ki);
          address(f, it.Dg, i, 4).f32Load().f32x4Splat().set(alpha);
          emitAxpy(L, oi, ki, alpha, it.dBytes);
        });
      });
      // dKg = dSᵀ · Q, dVg = Pᵀ · dO; landmarks to this segment's lbuf rows, window keys added into dk, dv.
      f.get(it.c).if(() => {
        gemm(it, it.P, () => blockRow(it, p.q, null), it.TK, it.c, p.d, it.rows, 1, p.ldS, p.d, 1, p.d);
        gemm(it, it.S, () => blockRow(it, p.dOut, null), it.TV, it.c, p.d, it.rows, 1, p.ldS, p.d, 1, p.d);
        // lbuf layout (B·H, G, 2, r', d): dkBar rows, then dvBar rows.
        address(f, p.lbuf, () => f.get(it.bh).get(p.G).i32Mul().get(it.g).i32Add().get(p.rp).i32Mul().i32Const(2).i32Mul(), it.dBytes).set(blk);
        f.get(blk).get(it.TK).get(p.rp).get(it.dBytes).i32Mul().memoryCopy();
        address(f, blk, p.rp, it.dBytes).get(it.TV).get(p.rp).get(it.dBytes).i32Mul().memoryCopy();
        f.forRange(t, () => f.get(p.rp), () => f.get(it.c), 1, () => {
          address(f, it.Pos, t, 4).i32Load().set(i);
          const add = (grad: Local, from: Local) => {
            address(f, grad, () => f.get(it.bh).get(p.n).i32Mul().get(i).i32Add(), it.dBytes).set(oi);
            address(f, from, t, it.dBytes).set(ki);
            emitAddRow(L, oi, ki, it.dBytes);
          };
          add(p.dk, it.TK);
          add(p.dv, it.TV);
        });
      });
    });
  });
}

/** `ls_landmarks(thread, begin, end, desc)`: items (bh, kind, j) of 2·r' rows per head; sums lbuf over segments in order. */
function emitLandmarkReduce(m: ModuleBuilder): void {
  m.function('ls_landmarks', ['i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, desc] = f.params;
    const L = new Locals(f);
    const p = readDescriptor(L, desc, fields);
    const [item, bh, within, dst, src, g, dBytes, step] = ['item', 'bh', 'within', 'dst', 'src', 'g', 'dBytes', 'step'].map((n) => L.i(n));
    f.get(p.d).i32Const(2).i32Shl().set(dBytes);
    f.get(p.rp).i32Const(2).i32Mul().get(dBytes).i32Mul().set(step);
    f.forRange(item, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(item).get(p.rp).i32Const(2).i32Mul().i32DivS().set(bh);
      f.get(item).get(bh).get(p.rp).i32Const(2).i32Mul().i32Mul().i32Sub().set(within);
      // within < r': dkBar row `within`; else dvBar row `within − r'`.
      f.get(within).get(p.rp).i32LtS().if(
        () => address(f, p.dkBar, () => f.get(bh).get(p.rp).i32Mul().get(within).i32Add(), dBytes).set(dst),
        () => address(f, p.dvBar, () => f.get(bh).get(p.rp).i32Mul().get(within).i32Add().get(p.rp).i32Sub(), dBytes).set(dst));
      address(f, p.lbuf, () => f.get(bh).get(p.G).i32Mul().get(p.rp).i32Mul().i32Const(2).i32Mul().get(within).i32Add(), dBytes).set(src);
      f.get(dst).get(src).get(dBytes).memoryCopy();
      f.forRange(g, () => f.i32Const(1), () => f.get(p.G), 1, () => {
        f.get(src).get(step).i32Add().set(src);
        emitAddRow(L, dst, src, dBytes);
      });
    });
  });
}

function emitLongShort(m: ModuleBuilder): void {
  const gemmFn = emitGemm(m, fusedGemmShape);
  emitForward(m, gemmFn);
  emitBackward(m, gemmFn);
  emitLandmarkReduce(m);
}

/** Sizes and per-thread scratch layout of one call. */
interface Plan {
  readonly values: Record<Field, number>;
  /** Work items per head. */
  readonly G: number;
  readonly stride: number;
}

function planOf(q: CpuView, kBar: CpuView, { window: w, diagonal }: LongShortCoreAttrs): Plan {
  const [, H, n, d] = q.shape;
  const rp = kBar.shape[2];
  const e = w > 0 ? windowExtension(w) : 0;
  const span = w > 0 ? w + 2 * e : 0;
  const block = w > 0 ? w : queryBlock;
  const G = Math.ceil(n / block);
  const maxKeys = rp + span;
  const ldS = Math.max(4, Math.ceil(maxKeys / 4) * 4);
  const keyRows = maxKeys * d * 4;
  // Per-thread regions in order (Kg at offset 0): [offset field, bytes].
  const regions: [Field | null, number][] = [
    [null, keyRows], ['offVg', keyRows], ['offS', block * ldS * 4], ['offP', block * ldS * 4], ['offDg', block * 4], ['offDd', block * 4],
    ['offPos', maxKeys * 4], ['offTK', keyRows], ['offTV', keyRows], ['offGemm', fusedGemmScratchBytes],
  ];
  const values = Object.fromEntries(fields.map((name) => [name, 0])) as Record<Field, number>;
  let stride = 0;
  for (const [name, bytes] of regions) {
    if (name) values[name] = stride;
    stride += align16(bytes);
  }
  // NOTE: segments g and g + P share no window key when (P − 1)·w ≥ 2e.
  const passes = w > 0 ? 1 + Math.ceil((2 * e) / w) : 1;
  Object.assign(values, { stride, H, n, d, rp, w, e, span, diagonal: diagonal ? 1 : 0, block, G, ldS, passes });
  return { values, G, stride };
}

const descriptor = (values: Record<Field, number>) => fields.map((name) => values[name]);

/**
 * The forward kernel for a backend with a wasm runtime: f32 tensors in its memory on SIMD and its
 * threads, anything else on the JS kernel.
 * @example backend.registerKernel('longShortAttention', longShortAttentionWasm(backend.wasm!));
 */
export function longShortAttentionWasm(wasm: CpuWasm): CpuKernel<LongShortCoreAttrs> {
  return (inputs, outputs, attrs) => {
    const [q, , , kBar] = inputs;
    const [B, H, n] = q.shape;
    const views = viewPointers(wasm, [...inputs, ...outputs], [5]);
    if (!views || B * H * n === 0) return longShortAttentionCpu(inputs, outputs, attrs);
    const plan = planOf(q, kBar, attrs);
    const module = fusedModule(wasm, 'longShort', emitLongShort);
    const rows = B * H * n;
    const done = withScratch(wasm, [fields.length * 4, plan.stride * wasm.threads, rows * 4], ([desc, scratch, sums]) => {
      const [qp, kp, vp, kBarP, vBarP, validP, outP, lseP] = views;
      Object.assign(plan.values, { q: qp, k: kp, v: vp, kBar: kBarP, vBar: vBarP, valid: validP, out: outP, lse: lseP, sums, scratch });
      writeI32(wasm, desc, descriptor(plan.values));
      wasm.parallelFor(module, 'ls_forward', B * H * plan.G, [desc]);
      // lse = max + log Σ (padded rows: 0 + log 1).
      const lse = new Float32Array(wasm.memory.buffer, lseP, rows);
      const total = new Float32Array(wasm.memory.buffer, sums, rows);
      for (let r = 0; r < rows; r++) lse[r] += Math.log(total[r]);
    });
    if (!done) longShortAttentionCpu(refreshed(inputs), refreshed(outputs), attrs);
  };
}

/**
 * The backward kernel for a backend with a wasm runtime (f32 in its memory; else the JS kernel).
 * @example backend.registerKernel('longShortAttentionBackward', longShortAttentionBackwardWasm(backend.wasm!));
 */
export function longShortAttentionBackwardWasm(wasm: CpuWasm): CpuKernel<LongShortCoreAttrs> {
  return (inputs, outputs, attrs) => {
    const [q, , , kBar] = inputs;
    const [B, H, n, d] = q.shape;
    const views = viewPointers(wasm, [...inputs, ...outputs], [5]);
    if (!views || B * H * n === 0) return longShortAttentionBackwardCpu(inputs, outputs, attrs);
    const plan = planOf(q, kBar, attrs);
    const { rp } = plan.values;
    const module = fusedModule(wasm, 'longShort', emitLongShort);
    const lbufBytes = B * H * plan.G * 2 * rp * d * 4;
    const done = withScratch(wasm, [fields.length * 4, plan.stride * wasm.threads, lbufBytes], ([desc, scratch, lbuf]) => {
      const [qp, kp, vp, kBarP, vBarP, validP, outP, lseP, dOut, dLse, dq, dk, dv, dkBar, dvBar] = views;
      Object.assign(plan.values, { q: qp, k: kp, v: vp, kBar: kBarP, vBar: vBarP, valid: validP, out: outP, lse: lseP, dOut, dLse, dq, dk, dv, dkBar, dvBar, lbuf, scratch });
      writeI32(wasm, desc, descriptor(plan.values));
      new Float32Array(wasm.memory.buffer, dk, B * H * n * d).fill(0);
      new Float32Array(wasm.memory.buffer, dv, B * H * n * d).fill(0);
      const { passes } = plan.values;
      for (let pass = 0; pass < passes; pass++) {
        const perHead = Math.ceil((plan.G - pass) / passes);
        wasm.parallelFor(module, 'ls_backward', B * H * perHead, [desc, pass]);
      }
      if (rp > 0) wasm.parallelFor(module, 'ls_landmarks', B * H * 2 * rp, [desc]);
    });
    if (!done) longShortAttentionBackwardCpu(refreshed(inputs), refreshed(outputs), attrs);
  };
}
