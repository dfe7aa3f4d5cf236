// WebAssembly SIMD building blocks of the fused attention kernels (spec A.3 / B.5 cores on the
// fast CPU backend): row loops with a scalar tail, dot products, axpy, row max and e^(x − shift)
// with a running sum, and descriptor fields. Emitted with the tensor package's kernel kit.
import { Temps, emitExp, type FunctionBuilder, type Local } from '@longshort/tensor/internal';

/** Floats per step: a SIMD vector, or one float of a row's tail. */
export type Width = 4 | 1;

/**
 * Named locals of one function, created on first use, so helpers can share scratch locals
 * (a helper must not reuse a name its caller holds live).
 */
export class Locals {
  private readonly named = new Map<string, Local>();
  readonly temps: Temps;

  constructor(readonly f: FunctionBuilder) {
    this.temps = new Temps(f);
  }

  private get(name: string, type: 'i32' | 'f32' | 'v128'): Local {
    let l = this.named.get(name);
    if (!l) {
      l = this.f.local(type);
      this.named.set(name, l);
    }
    return l;
  }

  i(name: string): Local {
    return this.get(`i:${name}`, 'i32');
  }

  s(name: string): Local {
    return this.get(`s:${name}`, 'f32');
  }

  v(name: string): Local {
    return this.get(`v:${name}`, 'v128');
  }
}

/**
 * Loads the i32 fields of a descriptor (consecutive i32s at `desc`) into locals named after them.
 * @example const p = readDescriptor(L, desc, ['q', 'k', 'n']); f.get(p.n);
 */
export function readDescriptor<K extends string>(L: Locals, desc: Local, names: readonly K[]): Record<K, Local> {
  const out = {} as Record<K, Local>;
  names.forEach((name, index) => {
    out[name] = L.i(name);
    L.f.get(desc).i32Load(index * 4).set(out[name]);
  });
  return out;
}

/**
 * Pushes `base + index · scale` (i32).
 * @example address(f, p.q, row, dBytes).set(ptr); // q + row·d·4
 */
export function address(f: FunctionBuilder, base: Local, index: Operand, scale: Operand): FunctionBuilder {
  f.get(base);
  push(f, index);
  push(f, scale);
  return f.i32Mul().i32Add();
}

/**
 * Points `first` at this thread's scratch block (scratch + thread · stride) and each other local at
 * `first` + its byte offset (descriptor fields), laying out one work item's buffers.
 * @example scratchPointers(f, p.scratch, thread, p.stride, S, [[P, p.offP], [T, p.offT]]);
 */
export function scratchPointers(f: FunctionBuilder, scratch: Local, thread: Local, stride: Local, first: Local,
  rest: readonly (readonly [Local, Local])[]): void {
  address(f, scratch, thread, stride).set(first);
  for (const [local, offset] of rest) f.get(first).get(offset).i32Add().set(local);
}

/** An i32 operand: a local, a constant, or code that pushes it. */
export type Operand = Local | number | (() => void);

/**
 * Pushes an i32 operand.
 * @example push(f, 4); push(f, n);
 */
export function push(f: FunctionBuilder, x: Operand): FunctionBuilder {
  if (typeof x === 'number') f.i32Const(x);
  else if (typeof x === 'function') x();
  else f.get(x);
  return f;
}

/**
 * body(width) at byte offsets `at` = 0, 16, … while a vector fits in `bytes`, then 4 bytes at a
 * time over the tail.
 * @example lanes(L, at, bytes, (w) => store(f, dst, at, w, () => load(f, src, at, w)));
 */
export function lanes(L: Locals, at: Local, bytes: Local, body: (w: Width) => void): void {
  const f = L.f;
  f.i32Const(0).set(at);
  for (const w of [4, 1] as const) {
    f.block((exit) => {
      f.loop((next) => {
        f.get(at).i32Const(w * 4).i32Add().get(bytes).i32GtS().brIf(exit);
        body(w);
        f.get(at).i32Const(w * 4).i32Add().set(at);
        f.br(next);
      });
    });
  }
}

/**
 * Pushes the f32x4 at byte `base + at` (width 4) or the float there in every lane (width 1).
 * @example load(f, row, at, 4).f32x4Add();
 */
export function load(f: FunctionBuilder, base: Local, at: Local, w: Width): FunctionBuilder {
  f.get(base).get(at).i32Add();
  return w === 4 ? f.v128Load() : f.v128Load32Splat();
}

/**
 * Stores `value()` at byte `base + at`: all lanes (width 4) or lane 0 (width 1).
 * @example store(f, dst, at, w, () => f.get(value));
 */
export function store(f: FunctionBuilder, base: Local, at: Local, w: Width, value: () => void): void {
  f.get(base).get(at).i32Add();
  value();
  if (w === 4) f.v128Store();
  else f.f32x4ExtractLane(0).f32Store();
}

/** Pushes the f32 sum of the lanes of `v`, ((l0 + l1) + l2) + l3. */
function horizontalSum(f: FunctionBuilder, v: Local): void {
  f.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Add();
  f.get(v).f32x4ExtractLane(2).f32Add();
  f.get(v).f32x4ExtractLane(3).f32Add();
}

/**
 * Pushes Σ a[c]·b[c] (f32) over `bytes` bytes of the rows at byte addresses a and b.
 * @example emitDot(L, qRow, kRow, dBytes); f.set(score);
 */
export function emitDot(L: Locals, a: Local, b: Local, bytes: Local): void {
  const f = L.f;
  const [at, acc, tail] = [L.i('dot.at'), L.v('dot.acc'), L.s('dot.tail')];
  f.v128Const([0, 0, 0, 0]).set(acc);
  f.f32Const(0).set(tail);
  lanes(L, at, bytes, (w) => {
    if (w === 4) {
      f.get(acc);
      load(f, a, at, 4);
      load(f, b, at, 4).f32x4Mul().f32x4Add().set(acc);
    } else {
      f.get(tail).get(a).get(at).i32Add().f32Load().get(b).get(at).i32Add().f32Load().f32Mul().f32Add().set(tail);
    }
  });
  horizontalSum(f, acc);
  f.get(tail).f32Add();
}

/**
 * dst[c] += alpha · x[c] over `bytes` bytes; `alpha` an f32x4 (splatted) local.
 * @example f.get(p).f32x4Splat().set(alpha); emitAxpy(L, outRow, vRow, alpha, dBytes);
 */
export function emitAxpy(L: Locals, dst: Local, x: Local, alpha: Local, bytes: Local): void {
  const f = L.f;
  const at = L.i('axpy.at');
  lanes(L, at, bytes, (w) => store(f, dst, at, w, () => {
    load(f, dst, at, w);
    load(f, x, at, w).get(alpha).f32x4Mul().f32x4Add();
  }));
}

/**
 * dst[c] += x[c] over `bytes` bytes.
 * @example emitAddRow(L, gradRow, tileRow, dBytes);
 */
export function emitAddRow(L: Locals, dst: Local, x: Local, bytes: Local): void {
  const f = L.f;
  const at = L.i('add.at');
  lanes(L, at, bytes, (w) => store(f, dst, at, w, () => {
    load(f, dst, at, w);
    load(f, x, at, w).f32x4Add();
  }));
}

/**
 * dst[c] ·= alpha (an f32x4 local) over `bytes` bytes.
 * @example emitScaleRow(L, row, inverseSum, rowBytes);
 */
export function emitScaleRow(L: Locals, dst: Local, alpha: Local, bytes: Local): void {
  const f = L.f;
  const at = L.i('scale.at');
  lanes(L, at, bytes, (w) => store(f, dst, at, w, () => load(f, dst, at, w).get(alpha).f32x4Mul()));
}

/**
 * Pushes the f32 max of a row of `bytes` bytes at `row` (−∞ when empty).
 * @example emitRowMax(L, row, rowBytes); f.set(max);
 */
export function emitRowMax(L: Locals, row: Local, bytes: Local): void {
  const f = L.f;
  const [at, acc] = [L.i('max.at'), L.v('max.acc')];
  f.v128Const([-Infinity, -Infinity, -Infinity, -Infinity]).set(acc);
  lanes(L, at, bytes, (w) => {
    f.get(acc);
    load(f, row, at, w).f32x4Max().set(acc);
  });
  f.get(acc).f32x4ExtractLane(0).get(acc).f32x4ExtractLane(1).f32Max();
  f.get(acc).f32x4ExtractLane(2).f32Max();
  f.get(acc).f32x4ExtractLane(3).f32Max();
}

/**
 * Pushes e^x (f32) of the f32 at the top of the stack (the vector e^x on lane 0).
 * @example f.get(s).get(max).f32Sub(); emitExpScalar(L); f.set(p);
 */
export function emitExpScalar(L: Locals): void {
  L.f.f32x4Splat();
  emitExp(L.f, L.temps);
  L.f.f32x4ExtractLane(0);
}

/**
 * row[c] = e^(row[c] − shift) over `bytes` bytes (shift an f32x4 local); `also(w, e)` may use the
 * value `e` (an f32x4 local) per step. Pushes the f32 sum of the new values.
 * @example emitExpRow(L, row, shift, rowBytes); f.set(sum);
 */
export function emitExpRow(L: Locals, row: Local, shift: Local, bytes: Local, also?: (w: Width, e: Local) => void): void {
  const f = L.f;
  const [at, acc, e, tail] = [L.i('exp.at'), L.v('exp.acc'), L.v('exp.e'), L.s('exp.tail')];
  f.v128Const([0, 0, 0, 0]).set(acc);
  f.f32Const(0).set(tail);
  lanes(L, at, bytes, (w) => {
    load(f, row, at, w).get(shift).f32x4Sub();
    emitExp(f, L.temps);
    f.set(e);
    store(f, row, at, w, () => f.get(e));
    if (w === 4) f.get(acc).get(e).f32x4Add().set(acc);
    else f.get(tail).get(e).f32x4ExtractLane(0).f32Add().set(tail);
    also?.(w, e);
  });
  horizontalSum(f, acc);
  f.get(tail).f32Add();
}

/**
 * The probabilities and score gradients of one row, recomputed from the saved lse: the row at `srow`
 * becomes P = e^(S − shift) (shift an f32x4 local holding lse) and the row at `prow`, holding dP,
 * becomes dS = P ∘ (dP − D) (D an f32 local), over `bytes` bytes each.
 * @example emitScoreGradRow(L, srow, prow, shift, D, rowBytes);
 */
export function emitScoreGradRow(L: Locals, srow: Local, prow: Local, shift: Local, D: Local, bytes: Local): void {
  const f = L.f;
  const Dv = L.v('Dv');
  f.get(D).f32x4Splat().set(Dv);
  emitExpRow(L, srow, shift, bytes, (w, e) => {
    const at = L.i('exp.at');
    f.get(prow).get(at).i32Add();
    f.get(prow).get(at).i32Add();
    if (w === 4) f.v128Load();
    else f.v128Load32Splat();
    f.get(Dv).f32x4Sub().get(e).f32x4Mul();
    if (w === 4) f.v128Store();
    else f.f32x4ExtractLane(0).f32Store();
  });
  f.drop();
}

/**
 * Pushes `min(a, b)` of two i32 locals (signed).
 * @example emitMin(f, remaining, block).set(rows);
 */
export function emitMin(f: FunctionBuilder, a: Local, b: Local): FunctionBuilder {
  return f.get(a).get(b).get(a).get(b).i32LtS().select();
}

/**
 * Sets `bytes` bytes at `dst` to zero.
 * @example emitZero(f, row, rowBytes);
 */
export function emitZero(f: FunctionBuilder, dst: Local | (() => void), bytes: Local | (() => void)): void {
  if (typeof dst === 'function') dst();
  else f.get(dst);
  f.i32Const(0);
  if (typeof bytes === 'function') bytes();
  else f.get(bytes);
  f.memoryFill();
}

/**
 * dst[c] = a[c] + b[c] over `bytes` bytes.
 * @example emitSumRows(L, quRow, qRow, uRow, dBytes); // q + u
 */
export function emitSumRows(L: Locals, dst: Local, a: Local, b: Local, bytes: Local): void {
  const f = L.f;
  const at = L.i('sum.at');
  lanes(L, at, bytes, (w) => store(f, dst, at, w, () => {
    load(f, a, at, w);
    load(f, b, at, w).f32x4Add();
  }));
}

/**
 * Calls the kit's `gemm(a, b, c, rows, cols, k, rsA, csA, rsB, csB, ldc, scratch)` (addresses in
 * bytes, strides in elements; C is overwritten; k ≥ 1).
 * @example emitGemmCall(f, gemm, scratch, [a, b, c, rows, cols, k, k, 1, 1, k, ldc]);
 */
export function emitGemmCall(f: FunctionBuilder, gemm: FunctionBuilder, scratch: Local, args: readonly Operand[]): void {
  for (const a of args) push(f, a);
  f.get(scratch).call(gemm);
}
