// WebAssembly SIMD kernels for f32 elementwise maps, reductions over contiguous rows or leading
// axes, softmax and layer normalisation over the last axis. Every kernel has the pool's signature
// (thread, begin, end, ...args) and works on a range of chunks, rows or column strips.
import type { FunctionBuilder, Local, ModuleBuilder } from './emitter.js';

/** Elements per work item of the flat (chunked) kernels; a multiple of 4. */
export const chunkElements = 16384;
/** Columns per work item of the column reductions (one 64-byte cache line of f32). */
export const columnStrip = 16;

export const unaryKernelOps = ['neg', 'abs', 'sqrt', 'rsqrt', 'reciprocal', 'square', 'relu', 'exp', 'sigmoid', 'erf'] as const;
/** The unary ops with a kernel of their own, plus the exact GELU x·½(1 + erf(x/√2)) of the gelu composite. */
export type UnaryKernelOp = (typeof unaryKernelOps)[number] | 'gelu';
export const binaryKernelOps = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const;
export type BinaryKernelOp = (typeof binaryKernelOps)[number];

/** v128 temporaries of one function, created on first use. */
export class Temps {
  private readonly locals: Local[] = [];
  constructor(private readonly f: FunctionBuilder) {}
  v(i: number): Local {
    while (this.locals.length <= i) this.locals.push(this.f.local('v128'));
    return this.locals[i];
  }
}

const splat = (f: FunctionBuilder, value: number) => f.v128Const([value, value, value, value]);
const splatI32 = (f: FunctionBuilder, value: number) => f.i32Const(value).i32x4Splat();

/**
 * e^x on the f32x4 at the top of the stack (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, a degree-7
 * polynomial for e^r, then 2^n). Relative error about 1e-7; −∞ gives 0, large x gives +∞, NaN stays NaN.
 * NOTE: x is clamped to [−104, 88.8], and 2^n is applied as 2^⌊n/2⌋·2^(n−⌊n/2⌋) so that both
 * factors are normal floats: results that are subnormal or overflow still round correctly.
 */
export function emitExp(f: FunctionBuilder, t: Temps): void {
  const [x, n, r, p] = [t.v(0), t.v(1), t.v(2), t.v(3)];
  splat(f, -104).f32x4Max();
  splat(f, 88.8).f32x4Min().set(x);
  f.get(x);
  splat(f, Math.LOG2E).f32x4Mul().f32x4Nearest().set(n);
  f.get(x).get(n);
  splat(f, 0.693359375).f32x4Mul().f32x4Sub().get(n);
  splat(f, -2.12194440e-4).f32x4Mul().f32x4Sub().set(r);
  splat(f, 1.9875691500e-4);
  for (const c of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) {
    f.get(r).f32x4Mul();
    splat(f, c).f32x4Add();
  }
  f.get(r).get(r).f32x4Mul().f32x4Mul().get(r).f32x4Add();
  splat(f, 1).f32x4Add().set(p);
  f.get(n).i32x4TruncSatF32x4S().set(n);
  f.get(n).i32Const(1).i32x4ShrS().set(r); // r := ⌊n/2⌋ (integer lanes)
  f.get(p).get(r);
  splatI32(f, 127).i32x4Add().i32Const(23).i32x4Shl().f32x4Mul();
  f.get(n).get(r).i32x4Sub();
  splatI32(f, 127).i32x4Add().i32Const(23).i32x4Shl().f32x4Mul();
}

/** Pushes p(x) = c₀ + x·(c₁ + x·(…)) for the f32x4 in `x`, coefficients from c₀. */
function horner(f: FunctionBuilder, x: Local, coefficients: readonly number[]): void {
  splat(f, coefficients[coefficients.length - 1]);
  for (let i = coefficients.length - 2; i >= 0; i--) {
    f.get(x).f32x4Mul();
    splat(f, coefficients[i]).f32x4Add();
  }
}

/** 2/√π times the Taylor coefficients of erf in x² (x − x³/3 + x⁵/10 − …), enough for |x| < 0.5. */
const erfTaylor = [1, -1 / 3, 1 / 10, -1 / 42, 1 / 216, -1 / 1320, 1 / 9360].map((c) => c * 2 / Math.sqrt(Math.PI));
/** Numerical Recipes' erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2), fractional error < 1.2e-7 (Press et al., §6.2). */
const erfcChebyshev = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];

/**
 * erf of the f32x4 at the top of the stack: a Taylor polynomial below |x| = 0.5 (relative error
 * ~3e-8 near 0, where 1 − erfc would lose it), else sign(x)·(1 − erfc(|x|)); ±∞ → ±1, NaN → NaN.
 */
function emitErf(f: FunctionBuilder, t: Temps): void {
  const [x, ax, x2, small, tt] = [t.v(6), t.v(7), t.v(8), t.v(9), t.v(10)];
  f.tee(x).f32x4Abs().set(ax);
  f.get(x).get(x).f32x4Mul().set(x2);
  horner(f, x2, erfTaylor);
  f.get(x).f32x4Mul().set(small);
  splat(f, 1);
  splat(f, 1).get(ax);
  splat(f, 0.5).f32x4Mul().f32x4Add().f32x4Div().set(tt);
  horner(f, tt, erfcChebyshev);
  f.get(ax).get(ax).f32x4Mul().f32x4Sub();
  emitExp(f, t);
  f.get(tt).f32x4Mul().set(tt); // tt := erfc(|x|)
  f.get(small);
  splat(f, 1).get(tt).f32x4Sub().get(x);
  splatI32(f, -0x80000000).v128And().v128Or(); // copies x's sign onto 1 − erfc(|x|) ≥ 0
  splat(f, 0.5).get(ax).f32x4Gt().v128Bitselect();
}

/** Emits `op` on the f32x4 at the top of the stack. */
function emitUnary(f: FunctionBuilder, t: Temps, op: UnaryKernelOp): void {
  const x = t.v(4);
  switch (op) {
    case 'neg': f.f32x4Neg(); break;
    case 'abs': f.f32x4Abs(); break;
    case 'sqrt': f.f32x4Sqrt(); break;
    case 'rsqrt': f.set(x); splat(f, 1).get(x).f32x4Sqrt().f32x4Div(); break;
    case 'reciprocal': f.set(x); splat(f, 1).get(x).f32x4Div(); break;
    case 'square': f.tee(x).get(x).f32x4Mul(); break;
    // max(x, 0) keeps NaN, as the reference's relu does.
    case 'relu': splat(f, 0).f32x4Max(); break;
    case 'exp': emitExp(f, t); break;
    case 'erf': emitErf(f, t); break;
    case 'gelu': {
      const x = t.v(11);
      f.tee(x);
      splat(f, Math.SQRT1_2).f32x4Mul();
      emitErf(f, t);
      splat(f, 1).f32x4Add().get(x).f32x4Mul();
      splat(f, 0.5).f32x4Mul();
      break;
    }
    case 'sigmoid': {
      // NOTE: with e = exp(−|x|) ≤ 1, 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0 never overflow.
      const e = t.v(5);
      f.tee(x).f32x4Abs().f32x4Neg();
      emitExp(f, t);
      f.set(e);
      splat(f, 1).get(e);
      splat(f, 1).f32x4Add().f32x4Div();
      f.get(e).get(e);
      splat(f, 1).f32x4Add().f32x4Div();
      f.get(x);
      splat(f, 0).f32x4Ge().v128Bitselect();
      break;
    }
  }
}

function emitBinary(f: FunctionBuilder, op: BinaryKernelOp): void {
  switch (op) {
    case 'add': f.f32x4Add(); break;
    case 'sub': f.f32x4Sub(); break;
    case 'mul': f.f32x4Mul(); break;
    case 'div': f.f32x4Div(); break;
    case 'maximum': f.f32x4Max(); break;
    case 'minimum': f.f32x4Min(); break;
  }
}

type Width = 4 | 1;

/** Pushes the f32 at byte `base + pos` (width 1, in every lane) or the 4 from there (width 4). */
function load(f: FunctionBuilder, base: Local, pos: Local, width: Width): void {
  f.get(base).get(pos).i32Add();
  if (width === 4) f.v128Load();
  else f.v128Load32Splat();
}

/** Stores `value()` (an f32x4) at byte `base + pos`: all 4 lanes (width 4) or lane 0 (width 1). */
function store(f: FunctionBuilder, base: Local, pos: Local, width: Width, value: () => void): void {
  f.get(base).get(pos).i32Add();
  value();
  if (width === 4) f.v128Store();
  else f.f32x4ExtractLane(0).f32Store();
}

/** body(width) for byte positions pos, pos + 4·width, … < end: vectors while 4 floats remain, then single floats. */
function elementLoop(f: FunctionBuilder, pos: Local, end: Local, body: (width: Width) => void): void {
  for (const width of [4, 1] as const) {
    f.block((exit) => {
      f.loop((next) => {
        f.get(pos).i32Const(width * 4).i32Add().get(end).i32GtS().brIf(exit);
        body(width);
        f.get(pos).i32Const(width * 4).i32Add().set(pos);
        f.br(next);
      });
    });
  }
}

/** Horizontal f32x4 reduction of `v` with `combine` (((l0 ∘ l1) ∘ l2) ∘ l3), leaving an f32. */
function horizontal(f: FunctionBuilder, v: Local, combine: () => void): void {
  f.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1);
  combine();
  f.get(v).f32x4ExtractLane(2);
  combine();
  f.get(v).f32x4ExtractLane(3);
  combine();
}

/** Sets `pos` and `end` to the byte range of chunks [begin, end) of n elements. */
function chunkRange(f: FunctionBuilder, begin: Local, endChunk: Local, n: Local, pos: Local, end: Local): void {
  f.get(begin).i32Const(chunkElements * 4).i32Mul().set(pos);
  f.get(endChunk).i32Const(chunkElements).i32Mul().get(n).get(endChunk).i32Const(chunkElements).i32Mul().get(n).i32LtS().select();
  f.i32Const(2).i32Shl().set(end);
}

/** `unary_<op>(thread, begin, end, x, out, n)` over chunks of `chunkElements`. */
function emitUnaryKernel(m: ModuleBuilder, op: UnaryKernelOp): void {
  m.function(`unary_${op}`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, x, out, n] = f.params;
    const [pos, stop] = [f.local('i32'), f.local('i32')];
    const t = new Temps(f);
    chunkRange(f, begin, end, n, pos, stop);
    elementLoop(f, pos, stop, (w) => store(f, out, pos, w, () => {
      load(f, x, pos, w);
      emitUnary(f, t, op);
    }));
  });
}

/**
 * `binary_<op>_full(thread, begin, end, a, b, out, n)`: out[i] = a[i] ∘ b[i], by chunks;
 * `binary_<op>_scalar(thread, begin, end, x, y, out, n, swap)`: out[i] = x[i] ∘ y[0] (y[0] ∘ x[i] if swap);
 * `binary_<op>_rows(thread, begin, end, x, y, out, period, swap)`: by rows of `period`,
 * out[r·P + j] = x[r·P + j] ∘ y[j] (y[j] ∘ x[r·P + j] if swap).
 */
function emitBinaryKernels(m: ModuleBuilder, op: BinaryKernelOp): void {
  m.function(`binary_${op}_full`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, a, b, out, n] = f.params;
    const [pos, stop] = [f.local('i32'), f.local('i32')];
    chunkRange(f, begin, end, n, pos, stop);
    elementLoop(f, pos, stop, (w) => store(f, out, pos, w, () => {
      load(f, a, pos, w);
      load(f, b, pos, w);
      emitBinary(f, op);
    }));
  });

  /** The loop over [pos, stop) with y as a vector from `yValue(width)`, in both operand orders. */
  const swappable = (f: FunctionBuilder, swap: Local, x: Local, out: Local, pos: Local, stop: Local, yValue: (w: Width) => void) => {
    const loopWith = (swapped: boolean) => elementLoop(f, pos, stop, (w) => store(f, out, pos, w, () => {
      if (swapped) yValue(w);
      load(f, x, pos, w);
      if (!swapped) yValue(w);
      emitBinary(f, op);
    }));
    f.get(swap).if(() => loopWith(true), () => loopWith(false));
  };

  m.function(`binary_${op}_scalar`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, x, y, out, n, swap] = f.params;
    const [pos, stop, yv] = [f.local('i32'), f.local('i32'), f.local('v128')];
    chunkRange(f, begin, end, n, pos, stop);
    f.get(y).v128Load32Splat().set(yv);
    swappable(f, swap, x, out, pos, stop, () => f.get(yv));
  });

  m.function(`binary_${op}_rows`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, x, y, out, period, swap] = f.params;
    const [row, pos, stop, xRow, outRow] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
    f.get(period).i32Const(2).i32Shl().set(stop);
    f.forRange(row, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(row).get(stop).i32Mul().tee(pos).get(x).i32Add().set(xRow);
      f.get(pos).get(out).i32Add().set(outRow);
      f.i32Const(0).set(pos);
      swappable(f, swap, xRow, outRow, pos, stop, (w) => load(f, y, pos, w));
    });
  });
}

/**
 * The rows [first, last) of item range [begin, end) of a row-table kernel (`perItem` rows an item,
 * `rows` in all), as locals.
 */
function tableRows(f: FunctionBuilder, begin: Local, end: Local, perItem: Local, rows: Local, first: Local, last: Local): void {
  f.get(begin).get(perItem).i32Mul().set(first);
  f.get(end).get(perItem).i32Mul().tee(last).get(rows).get(last).get(rows).i32LtS().select().set(last);
}

/**
 * `binary_<op>_table(thread, begin, end, table, out, cols, perItem, rows, mode)`: out row r (cols
 * contiguous floats) = a-row ∘ b-row, where table[2r], table[2r+1] are the rows' byte addresses
 * and mode bit 0 (a) / bit 1 (b) says the operand is one float broadcast along the row (inner
 * stride 0) rather than cols contiguous floats. Any broadcast or view whose last axes are
 * contiguous or broadcast (column broadcasts, slices) runs here.
 */
function emitBinaryTableKernel(m: ModuleBuilder, op: BinaryKernelOp): void {
  m.function(`binary_${op}_table`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, table, out, cols, perItem, rows, mode] = f.params;
    const [row, last, aRow, bRow, outRow, pos, stop] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
    const [av, bv] = [f.local('v128'), f.local('v128')];
    tableRows(f, begin, end, perItem, rows, row, last);
    f.get(cols).i32Const(2).i32Shl().set(stop);
    const operand = (base: Local, splatted: Local, broadcast: boolean, w: Width) => (broadcast ? f.get(splatted) : load(f, base, pos, w));
    const loopFor = (aBroadcast: boolean, bBroadcast: boolean) => {
      f.get(aRow).v128Load32Splat().set(av);
      f.get(bRow).v128Load32Splat().set(bv);
      f.i32Const(0).set(pos);
      elementLoop(f, pos, stop, (w) => store(f, outRow, pos, w, () => {
        operand(aRow, av, aBroadcast, w);
        operand(bRow, bv, bBroadcast, w);
        emitBinary(f, op);
      }));
    };
    f.forRange(row, () => f.get(row), () => f.get(last), 1, () => {
      f.get(table).get(row).i32Const(3).i32Shl().i32Add().tee(pos).i32Load().set(aRow);
      f.get(pos).i32Load(4).set(bRow);
      f.get(row).get(stop).i32Mul().get(out).i32Add().set(outRow);
      f.get(mode).i32Eqz().if(() => loopFor(false, false), () => {
        f.get(mode).i32Const(1).i32Eq().if(() => loopFor(true, false), () => {
          f.get(mode).i32Const(2).i32Eq().if(() => loopFor(false, true), () => loopFor(true, true));
        });
      });
    });
  });
}

/**
 * `where_table(thread, begin, end, table, out, cols, perItem, rows, cStride, xStride, yStride)`:
 * out row r = c ? x : y elementwise, table[3r..3r+2] the byte addresses of the rows of c (bool
 * bytes), x and y, the strides their byte steps along a row (0 for a broadcast).
 */
function emitWhereTableKernel(m: ModuleBuilder): void {
  m.function('where_table', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, table, out, cols, perItem, rows, cStride, xStride, yStride] = f.params;
    const [row, last, c, x, y, dst, j, entry] = Array.from({ length: 8 }, () => f.local('i32'));
    tableRows(f, begin, end, perItem, rows, row, last);
    f.forRange(row, () => f.get(row), () => f.get(last), 1, () => {
      f.get(row).i32Const(12).i32Mul().get(table).i32Add().tee(entry).i32Load().set(c);
      f.get(entry).i32Load(4).set(x);
      f.get(entry).i32Load(8).set(y);
      f.get(row).get(cols).i32Mul().i32Const(2).i32Shl().get(out).i32Add().set(dst);
      f.forRange(j, () => f.i32Const(0), () => f.get(cols), 1, () => {
        f.get(dst).get(x).f32Load().get(y).f32Load().get(c).i32Load8U().select().f32Store();
        f.get(dst).i32Const(4).i32Add().set(dst);
        f.get(c).get(cStride).i32Add().set(c);
        f.get(x).get(xStride).i32Add().set(x);
        f.get(y).get(yStride).i32Add().set(y);
      });
    });
  });
}

/**
 * `sum_rows` / `max_rows(thread, begin, end, x, out, length)`: out[r] = Σ / max of row r.
 * NOTE: sums accumulate in float64 (as the reference does), in two f64x2 lanes pairs.
 */
function emitRowReductions(m: ModuleBuilder): void {
  m.function('sum_rows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, x, out, length] = f.params;
    const [row, base, pos, stop, lo, hi] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('v128'), f.local('v128')];
    f.get(length).i32Const(2).i32Shl().set(stop);
    f.forRange(row, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(x).get(row).get(stop).i32Mul().i32Add().set(base);
      splat(f, 0).tee(lo).set(hi);
      f.i32Const(0).set(pos);
      elementLoop(f, pos, stop, (w) => {
        f.get(lo).get(base).get(pos).i32Add();
        if (w === 4) {
          f.v128Load64Zero().f64x2PromoteLowF32x4().f64x2Add().set(lo);
          f.get(hi).get(base).get(pos).i32Add().v128Load64Zero(8).f64x2PromoteLowF32x4().f64x2Add().set(hi);
        } else {
          f.v128Load32Zero().f64x2PromoteLowF32x4().f64x2Add().set(lo);
        }
      });
      f.get(out).get(row).i32Const(2).i32Shl().i32Add();
      f.get(lo).f64x2ExtractLane(0).get(lo).f64x2ExtractLane(1).f64Add();
      f.get(hi).f64x2ExtractLane(0).get(hi).f64x2ExtractLane(1).f64Add().f64Add().f32DemoteF64().f32Store();
    });
  });

  m.function('max_rows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, x, out, length] = f.params;
    const [row, base, pos, stop, acc] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32'), f.local('v128')];
    f.get(length).i32Const(2).i32Shl().set(stop);
    f.forRange(row, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(x).get(row).get(stop).i32Mul().i32Add().set(base);
      splat(f, -Infinity).set(acc);
      f.i32Const(0).set(pos);
      elementLoop(f, pos, stop, (w) => {
        f.get(acc);
        load(f, base, pos, w);
        f.f32x4Max().set(acc);
      });
      f.get(out).get(row).i32Const(2).i32Shl().i32Add();
      horizontal(f, acc, () => f.f32Max());
      f.f32Store();
    });
  });
}

/**
 * `sum_cols` / `max_cols(thread, begin, end, x, out, rows, cols)`: out[c] = Σ / max over r of
 * x[r·cols + c], by strips of `columnStrip` columns (vector accumulators over whole cache
 * lines); the last, partial strip goes column by column.
 */
function emitColumnReductions(m: ModuleBuilder): void {
  for (const kind of ['sum', 'max'] as const) {
    m.function(`${kind}_cols`, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
      const [, begin, end, x, out, rows, cols] = f.params;
      const [strip, column, last, r, at, rowBytes] = Array.from({ length: 6 }, () => f.local('i32'));
      // sums: 8 f64x2 accumulators (16 columns); max: 4 f32x4 accumulators.
      const accs = Array.from({ length: kind === 'sum' ? 8 : 4 }, () => f.local('v128'));
      const scalar = f.local('v128');
      f.get(cols).i32Const(2).i32Shl().set(rowBytes);
      f.forRange(strip, () => f.get(begin), () => f.get(end), 1, () => {
        f.get(strip).i32Const(columnStrip).i32Mul().set(column);
        f.get(column).i32Const(columnStrip).i32Add().get(cols).i32LeS().if(() => {
          for (const acc of accs) splat(f, kind === 'sum' ? 0 : -Infinity).set(acc);
          f.get(x).get(column).i32Const(2).i32Shl().i32Add().set(at);
          f.forRange(r, () => f.i32Const(0), () => f.get(rows), 1, () => {
            accs.forEach((acc, i) => {
              f.get(acc).get(at);
              if (kind === 'sum') f.v128Load64Zero(i * 8).f64x2PromoteLowF32x4().f64x2Add().set(acc);
              else f.v128Load(i * 16).f32x4Max().set(acc);
            });
            f.get(at).get(rowBytes).i32Add().set(at);
          });
          f.get(out).get(column).i32Const(2).i32Shl().i32Add().set(at);
          accs.forEach((acc, i) => {
            if (kind === 'sum') {
              for (const lane of [0, 1]) f.get(at).get(acc).f64x2ExtractLane(lane).f32DemoteF64().f32Store(i * 8 + lane * 4);
            } else {
              f.get(at).get(acc).v128Store(i * 16);
            }
          });
        }, () => {
          // The partial strip: one column at a time, accumulating in lane 0 of `scalar`.
          f.forRange(last, () => f.get(column), () => f.get(cols), 1, () => {
            splat(f, kind === 'sum' ? 0 : -Infinity).set(scalar);
            f.get(x).get(last).i32Const(2).i32Shl().i32Add().set(at);
            f.forRange(r, () => f.i32Const(0), () => f.get(rows), 1, () => {
              f.get(scalar).get(at).v128Load32Splat();
              if (kind === 'sum') f.f64x2PromoteLowF32x4().f64x2Add();
              else f.f32x4Max();
              f.set(scalar);
              f.get(at).get(rowBytes).i32Add().set(at);
            });
            f.get(out).get(last).i32Const(2).i32Shl().i32Add().get(scalar);
            if (kind === 'sum') f.f64x2ExtractLane(0).f32DemoteF64();
            else f.f32x4ExtractLane(0);
            f.f32Store();
          });
        });
      });
    });
  }
}

/**
 * `softmax_rows(thread, begin, end, x, out, length)`: out row = exp(x − max) / Σ exp(x − max),
 * with the reference's conventions: a row whose max is −∞ is shifted by 0, and a zero sum
 * divides by 1 (so an all −∞ row gives zeros).
 */
function emitSoftmax(m: ModuleBuilder): void {
  m.function('softmax_rows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [, begin, end, x, out, length] = f.params;
    const [row, src, dst, pos, stop] = Array.from({ length: 5 }, () => f.local('i32'));
    const [acc, shift, e] = [f.local('v128'), f.local('v128'), f.local('v128')];
    const [top, tail, total] = [f.local('f32'), f.local('f32'), f.local('f32')];
    const t = new Temps(f);
    f.get(length).i32Const(2).i32Shl().set(stop);
    f.forRange(row, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(row).get(stop).i32Mul().tee(pos).get(x).i32Add().set(src);
      f.get(pos).get(out).i32Add().set(dst);
      splat(f, -Infinity).set(acc);
      f.i32Const(0).set(pos);
      elementLoop(f, pos, stop, (w) => {
        f.get(acc);
        load(f, src, pos, w);
        f.f32x4Max().set(acc);
      });
      horizontal(f, acc, () => f.f32Max());
      f.tee(top).f32Const(0).get(top).f32Const(-Infinity).f32Ne().select().f32x4Splat().set(shift);
      splat(f, 0).set(acc);
      f.f32Const(0).set(tail);
      f.i32Const(0).set(pos);
      elementLoop(f, pos, stop, (w) => {
        load(f, src, pos, w);
        f.get(shift).f32x4Sub();
        emitExp(f, t);
        f.set(e);
        store(f, dst, pos, w, () => f.get(e));
        if (w === 4) f.get(acc).get(e).f32x4Add().set(acc);
        else f.get(tail).get(e).f32x4ExtractLane(0).f32Add().set(tail);
      });
      horizontal(f, acc, () => f.f32Add());
      f.get(tail).f32Add().tee(total).f32Const(1).get(total).f32Const(0).f32Ne().select().f32x4Splat().set(acc);
      f.i32Const(0).set(pos);
      elementLoop(f, pos, stop, (w) => store(f, dst, pos, w, () => {
        load(f, dst, pos, w);
        f.get(acc).f32x4Div();
      }));
    });
  });
}

/**
 * `layernorm_rows(thread, begin, end, x, weight, bias, out, length, eps, flags)`: per row,
 * y = (x − mean) / √(var + eps) (biased variance, two passes), then · weight (flags & 1) and
 * + bias (flags & 2), with weight and bias of `length` elements.
 */
function emitLayerNorm(m: ModuleBuilder): void {
  m.function('layernorm_rows', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f32', 'i32'], [], (f) => {
    const [, begin, end, x, weight, bias, out, length, eps, flags] = f.params;
    const [row, src, dst, pos, stop] = Array.from({ length: 5 }, () => f.local('i32'));
    const [acc, mean, scale, y] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
    const [tail, count] = [f.local('f32'), f.local('f32')];
    f.get(length).i32Const(2).i32Shl().set(stop);
    f.get(length).f32ConvertI32S().set(count);
    /** acc and tail = 0; for each element, add term(width) (lane 0 only for single floats); then the row total / length, splatted, into `into`. */
    const meanOf = (term: (w: Width) => void, into: Local) => {
      splat(f, 0).set(acc);
      f.f32Const(0).set(tail);
      f.i32Const(0).set(pos);
      elementLoop(f, pos, stop, (w) => {
        if (w === 4) {
          f.get(acc);
          term(w);
          f.f32x4Add().set(acc);
        } else {
          f.get(tail);
          term(w);
          f.f32x4ExtractLane(0).f32Add().set(tail);
        }
      });
      horizontal(f, acc, () => f.f32Add());
      f.get(tail).f32Add().get(count).f32Div().f32x4Splat().set(into);
    };
    f.forRange(row, () => f.get(begin), () => f.get(end), 1, () => {
      f.get(row).get(stop).i32Mul().tee(pos).get(x).i32Add().set(src);
      f.get(pos).get(out).i32Add().set(dst);
      meanOf((w) => load(f, src, pos, w), mean);
      meanOf((w) => {
        load(f, src, pos, w);
        f.get(mean).f32x4Sub().tee(y).get(y).f32x4Mul();
      }, scale);
      // scale = 1 / √(var + eps)
      splat(f, 1).get(scale).get(eps).f32x4Splat().f32x4Add().f32x4Sqrt().f32x4Div().set(scale);
      f.i32Const(0).set(pos);
      elementLoop(f, pos, stop, (w) => {
        load(f, src, pos, w);
        f.get(mean).f32x4Sub().get(scale).f32x4Mul().set(y);
        f.get(flags).i32Const(1).i32And().if(() => {
          f.get(y);
          load(f, weight, pos, w);
          f.f32x4Mul().set(y);
        });
        f.get(flags).i32Const(2).i32And().if(() => {
          f.get(y);
          load(f, bias, pos, w);
          f.f32x4Add().set(y);
        });
        store(f, dst, pos, w, () => f.get(y));
      });
    });
  });
}

/** Adds every elementwise, reduction, softmax and layer-norm kernel to `m`. */
export function emitElementwise(m: ModuleBuilder): void {
  for (const op of [...unaryKernelOps, 'gelu' as const]) emitUnaryKernel(m, op);
  for (const op of binaryKernelOps) {
    emitBinaryKernels(m, op);
    emitBinaryTableKernel(m, op);
  }
  emitWhereTableKernel(m);
  emitRowReductions(m);
  emitColumnReductions(m);
  emitSoftmax(m);
  emitLayerNorm(m);
}
