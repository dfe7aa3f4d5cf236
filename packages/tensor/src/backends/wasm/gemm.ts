// A packed, register-tiled f32 GEMM (C = op(A)·op(B)) generated as WebAssembly SIMD, after the
// GotoBLAS / BLIS loop structure (Goto & van de Geijn 2008; Van Zee & van de Geijn 2015): B is
// packed in KC×NC blocks of NR-wide panels (L2), A in MC×KC blocks of MR-tall panels, and an MR×NR
// micro-kernel keeps its accumulators in SIMD locals (registers) over a KC-long loop.
import { ConfigError } from '../../errors/index.js';
import type { FunctionBuilder, Local, ModuleBuilder } from './emitter.js';

/** Blocking parameters; every C element is summed in the same k order whatever the split. */
export interface GemmShape {
  /** Micro-tile rows (A panel height). */
  readonly mr: number;
  /** Micro-tile columns (B panel width), a multiple of 4. */
  readonly nr: number;
  /** K block (depth of the packed panels). */
  readonly kc: number;
  /** Rows of A packed at once. */
  readonly mc: number;
  /** Columns of B packed at once. */
  readonly nc: number;
  /** k iterations per micro-kernel loop trip. */
  readonly unroll: number;
}

/**
 * NOTE: measured on Zen 4 / V8 (Node 20): a 4×8 tile (8 accumulators + 2 B vectors + 1 splat, so
 * within the 15 allocatable xmm registers) runs at the mul+add throughput limit of plain SIMD128,
 * about 40 GFLOP/s per core; 5×8 and 6×8 spill, and unrolling k by 2 or 4 was slower.
 */
export const defaultGemmShape: GemmShape = { mr: 4, nr: 8, kc: 256, mc: 64, nc: 1024, unroll: 1 };

/** Bytes of per-thread scratch the GEMM needs: packed A block, packed B block, one edge tile. */
export function gemmScratchBytes(s: GemmShape): number {
  return (s.mc * s.kc + s.kc * s.nc + s.mr * s.nr) * 4;
}

/** Bytes of one work item in the table `gemm_items` reads: (a, b, c, m, n) as i32. */
export const gemmItemBytes = 20;

/** `f.get(x)` for each local, in order. */
function getAll(f: FunctionBuilder, ...locals: Local[]): FunctionBuilder {
  for (const l of locals) f.get(l);
  return f;
}

/** Emits `dst = min(limit - at, cap)`. */
function emitMinRemaining(f: FunctionBuilder, dst: Local, limit: Local, at: Local, cap: number | Local): void {
  const pushCap = () => (typeof cap === 'number' ? f.i32Const(cap) : f.get(cap));
  f.get(limit).get(at).i32Sub().tee(dst);
  pushCap();
  f.i32LtS().if(() => undefined, () => {
    pushCap();
    f.set(dst);
  });
}

/**
 * micro(kc, ap, bp, c, ldcBytes, accumulate): C[MR×NR] (=|+=) Σ_p ap[p]ᵀ·bp[p] over kc steps,
 * where ap holds MR values per step and bp NR values per step.
 */
function emitMicroKernel(m: ModuleBuilder, s: GemmShape): FunctionBuilder {
  const f = m.declare('gemm_micro', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], { internal: true });
  const [kc, ap, bp, c, ldc, accumulate] = f.params;
  const vectors = s.nr / 4;
  const acc = Array.from({ length: s.mr }, () => Array.from({ length: vectors }, () => f.local('v128')));
  const bv = Array.from({ length: vectors }, () => f.local('v128'));
  const av = f.local('v128');
  const row = f.local('i32');
  for (const r of acc) for (const a of r) f.v128Const([0, 0, 0, 0]).set(a);

  const step = (u: number) => {
    for (let v = 0; v < vectors; v++) f.get(bp).v128Load((u * s.nr + v * 4) * 4).set(bv[v]);
    for (let r = 0; r < s.mr; r++) {
      f.get(ap).v128Load32Splat((u * s.mr + r) * 4).set(av);
      for (let v = 0; v < vectors; v++) getAll(f, acc[r][v], av, bv[v]).f32x4Mul().f32x4Add().set(acc[r][v]);
    }
  };
  const advance = (steps: number) => {
    f.get(ap).i32Const(steps * s.mr * 4).i32Add().set(ap);
    f.get(bp).i32Const(steps * s.nr * 4).i32Add().set(bp);
    f.get(kc).i32Const(steps).i32Sub().set(kc);
  };
  // Unrolled trips while at least `unroll` steps remain, then single steps.
  f.block((done) => {
    f.get(kc).i32Const(s.unroll).i32LtS().brIf(done);
    f.loop((again) => {
      for (let u = 0; u < s.unroll; u++) step(u);
      advance(s.unroll);
      f.get(kc).i32Const(s.unroll).i32GeS().brIf(again);
    });
  });
  f.block((done) => {
    f.get(kc).i32Eqz().brIf(done);
    f.loop((again) => {
      step(0);
      advance(1);
      f.get(kc).brIf(again);
    });
  });

  f.get(c).set(row);
  for (let r = 0; r < s.mr; r++) {
    for (let v = 0; v < vectors; v++) {
      f.get(accumulate).if(() => {
        f.get(acc[r][v]).get(row).v128Load(v * 16).f32x4Add().set(acc[r][v]);
      });
      f.get(row).get(acc[r][v]).v128Store(v * 16);
    }
    if (r < s.mr - 1) f.get(row).get(ldc).i32Add().set(row);
  }
  return f;
}

// Shuffle lane patterns (bytes; 0–15 pick from the first vector, 16–31 from the second).
const lanes = (...floats: number[]) => floats.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]);
/** [a0, b0, a1, b1] and [a2, b2, a3, b3]. */
const interleaveLow = lanes(0, 4, 1, 5);
const interleaveHigh = lanes(2, 6, 3, 7);
/** [a0, a1, b0, b1] and [a2, a3, b2, b3]. */
const lowHalves = lanes(0, 1, 4, 5);
const highHalves = lanes(2, 3, 6, 7);

/**
 * pack(src, rowStride, colStride, rows, depth, dst, width): copies `rows` lines of `depth`
 * elements (line i, step p at src + i·rowStride + p·colStride, strides in bytes) into panels of
 * `width` lines interleaved per step, zero-padding the last panel to `width` lines.
 */
function emitPack(m: ModuleBuilder, name: string, width: number): FunctionBuilder {
  const f = m.declare(name, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], { internal: true });
  const [src, rowStride, colStride, rows, depth, dst] = f.params;
  const panel = f.local('i32');
  const lines = f.local('i32');
  const line = f.local('i32');
  const p = f.local('i32');
  const from = f.local('i32');
  const to = f.local('i32');
  const quad = Array.from({ length: 4 }, () => f.local('v128'));
  const pair = Array.from({ length: 4 }, () => f.local('v128'));
  f.forRange(panel, () => f.i32Const(0), () => f.get(rows), width, () => {
    emitMinRemaining(f, lines, rows, panel, width);
    // to = dst + panel·depth·4: the start of this panel.
    const panelStart = () => getAll(f, dst, panel, depth).i32Mul().i32Const(2).i32Shl().i32Add();
    const lineByLine = () => {
      f.forRange(line, () => f.i32Const(0), () => f.get(lines), 1, () => {
        getAll(f, src, panel, line).i32Add().get(rowStride).i32Mul().i32Add().set(from);
        panelStart().get(line).i32Const(2).i32Shl().i32Add().set(to);
        f.forRange(p, () => f.i32Const(0), () => f.get(depth), 1, () => {
          f.get(to).get(from).f32Load().f32Store();
          f.get(from).get(colStride).i32Add().set(from);
          f.get(to).i32Const(width * 4).i32Add().set(to);
        });
      });
      f.forRange(line, () => f.get(lines), () => f.i32Const(width), 1, () => {
        panelStart().get(line).i32Const(2).i32Shl().i32Add().set(to);
        f.forRange(p, () => f.i32Const(0), () => f.get(depth), 1, () => {
          f.get(to).f32Const(0).f32Store();
          f.get(to).i32Const(width * 4).i32Add().set(to);
        });
      });
    };
    const stepByStep = () => {
      getAll(f, src, panel, rowStride).i32Mul().i32Add().set(from);
      panelStart().set(to);
      f.forRange(p, () => f.i32Const(0), () => f.get(depth), 1, () => {
        for (let v = 0; v < width / 4; v++) f.get(to).get(from).v128Load(v * 16).v128Store(v * 16);
        f.get(from).get(colStride).i32Add().set(from);
        f.get(to).i32Const(width * 4).i32Add().set(to);
      });
    };
    const transposing = () => {
      getAll(f, src, panel, rowStride).i32Mul().i32Add().set(from);
      panelStart().set(to);
      f.forRange(p, () => f.i32Const(3), () => f.get(depth), 4, () => {
        for (let group = 0; group < width / 4; group++) {
          // Lines 4g..4g+3, steps p−3..p: a 4×4 transpose in registers.
          quad.forEach((q, i) => f.get(from).get(rowStride).i32Const(4 * group + i).i32Mul().i32Add().v128Load().set(q));
          pair.forEach((t, i) => f.get(quad[(i & 1) * 2]).get(quad[(i & 1) * 2 + 1]).i8x16Shuffle(i < 2 ? interleaveLow : interleaveHigh).set(t));
          for (let step = 0; step < 4; step++) {
            f.get(to).get(pair[(step >> 1) * 2]).get(pair[(step >> 1) * 2 + 1]).i8x16Shuffle(step % 2 === 0 ? lowHalves : highHalves).v128Store(step * width * 4 + group * 16);
          }
        }
        f.get(from).i32Const(16).i32Add().set(from);
        f.get(to).i32Const(16 * width).i32Add().set(to);
      });
      // The last depth mod 4 steps, element by element.
      f.get(p).i32Const(3).i32Sub().set(p);
      f.forRange(p, () => f.get(p), () => f.get(depth), 1, () => {
        for (let l = 0; l < width; l++) f.get(to).get(from).get(rowStride).i32Const(l).i32Mul().i32Add().f32Load().f32Store(l * 4);
        f.get(from).i32Const(4).i32Add().set(from);
        f.get(to).i32Const(width * 4).i32Add().set(to);
      });
    };
    // NOTE: a full panel whose lines are adjacent floats moves width/4 vectors per step; one
    // whose steps are adjacent floats is transposed 4×4 in registers; the rest (edge panels)
    // goes line by line, element by element.
    const full = () => f.get(lines).i32Const(width).i32Eq();
    if (width % 4 !== 0) lineByLine();
    else {
      f.get(rowStride).i32Const(4).i32Eq();
      full().i32And().if(stepByStep, () => {
        f.get(colStride).i32Const(4).i32Eq();
        full().i32And().if(transposing, lineByLine);
      });
    }
  });
  return f;
}

/** merge(tile, c, ldcBytes, rows, cols, accumulate): C[rows×cols] (=|+=) tile (NR floats per row). */
function emitMergeTile(m: ModuleBuilder, s: GemmShape): FunctionBuilder {
  const f = m.declare('gemm_merge', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], { internal: true });
  const [tile, c, ldc, rows, cols, accumulate] = f.params;
  const i = f.local('i32');
  const j = f.local('i32');
  const src = f.local('i32');
  const dst = f.local('i32');
  f.forRange(i, () => f.i32Const(0), () => f.get(rows), 1, () => {
    getAll(f, tile, i).i32Const(s.nr * 4).i32Mul().i32Add().set(src);
    getAll(f, c, i, ldc).i32Mul().i32Add().set(dst);
    f.forRange(j, () => f.i32Const(0), () => f.get(cols), 1, () => {
      // NOTE: f32 addition is commutative, so C + tile rounds as the vector path's acc + C does:
      // full and edge tiles give identical bits.
      f.get(accumulate).if(
        () => f.get(dst).get(dst).f32Load().get(src).f32Load().f32Add().f32Store(),
        () => f.get(dst).get(src).f32Load().f32Store());
      f.get(src).i32Const(4).i32Add().set(src);
      f.get(dst).i32Const(4).i32Add().set(dst);
    });
  });
  return f;
}

/**
 * macro(aPacked, bPacked, c, mc, nc, kc, ldc, first, tile): C[mc×nc] (= if first, else +=) the
 * product of a packed A block and a packed B block, micro-tile by micro-tile (edge tiles go
 * through `tile`, NR·MR floats of scratch).
 */
function emitMacroKernel(m: ModuleBuilder, s: GemmShape, micro: FunctionBuilder, merge: FunctionBuilder): FunctionBuilder {
  const g = m.declare('gemm_macro', Array<'i32'>(9).fill('i32'), [], { internal: true });
  const [aBlock, bBlock, c, mc, nc, kc, ldc, first, tile] = g.params;
  const [jr, ir, cp] = [g.local('i32'), g.local('i32'), g.local('i32')];
  g.forRange(jr, () => g.i32Const(0), () => g.get(nc), s.nr, () => {
    g.forRange(ir, () => g.i32Const(0), () => g.get(mc), s.mr, () => {
      // cp = c + (ir·ldc + jr)·4
      g.get(c).get(ir).get(ldc).i32Mul().get(jr).i32Add().i32Const(2).i32Shl().i32Add().set(cp);
      const pushPanels = () => {
        g.get(kc);
        getAll(g, aBlock, ir, kc).i32Mul().i32Const(2).i32Shl().i32Add();
        getAll(g, bBlock, jr, kc).i32Mul().i32Const(2).i32Shl().i32Add();
      };
      g.get(mc).get(ir).i32Sub().i32Const(s.mr).i32GeS().get(nc).get(jr).i32Sub().i32Const(s.nr).i32GeS().i32And().if(() => {
        pushPanels();
        g.get(cp).get(ldc).i32Const(2).i32Shl().get(first).i32Eqz().call(micro);
      }, () => {
        pushPanels();
        g.get(tile).i32Const(s.nr * 4).i32Const(0).call(micro);
        g.get(tile).get(cp).get(ldc).i32Const(2).i32Shl();
        // rows = min(mc − ir, MR), cols = min(nc − jr, NR)
        g.get(mc).get(ir).i32Sub().i32Const(s.mr).get(mc).get(ir).i32Sub().i32Const(s.mr).i32LtS().select();
        g.get(nc).get(jr).i32Sub().i32Const(s.nr).get(nc).get(jr).i32Sub().i32Const(s.nr).i32LtS().select();
        g.get(first).i32Eqz().call(merge);
      });
    });
  });
  return g;
}

/**
 * rows(a, c, rows, rsA, csA, kc, nc, ldc, bPacked, first, aBlock, tile): for each MC-row block of
 * A (a at column pc, strides in bytes), pack it into `aBlock` and multiply it by the packed B
 * block into C (c at column jc).
 */
function emitRowBlocks(m: ModuleBuilder, s: GemmShape, packA: FunctionBuilder, macro: FunctionBuilder): FunctionBuilder {
  const g = m.declare('gemm_rows', Array<'i32'>(12).fill('i32'), [], { internal: true });
  const [a, c, rows, rsA, csA, kc, nc, ldc, bBlock, first, aBlock, tile] = g.params;
  const [ic, mc] = [g.local('i32'), g.local('i32')];
  g.forRange(ic, () => g.i32Const(0), () => g.get(rows), s.mc, () => {
    emitMinRemaining(g, mc, rows, ic, s.mc);
    getAll(g, a, ic, rsA).i32Mul().i32Add().get(rsA).get(csA).get(mc).get(kc).get(aBlock).call(packA);
    g.get(aBlock).get(bBlock).get(c).get(ic).get(ldc).i32Mul().i32Const(2).i32Shl().i32Add();
    getAll(g, mc, nc, kc, ldc, first, tile).call(macro);
  });
  return g;
}

/**
 * Adds the GEMM entry points (pointers in bytes, strides in elements; op(A)[i][p] = a[i·rsA +
 * p·csA], op(B)[p][j] = b[p·rsB + j·csB], C row-major with leading dimension ldc, k ≥ 1):
 * - `gemm(a, b, c, m, n, k, rsA, csA, rsB, csB, ldc, scratch)`: one product on one thread;
 * - `gemm_items(thread, begin, end, table, k, rsA, csA, rsB, csB, ldc, scratch, scratchStride)`:
 *   the products [begin, end) of a table of (a, b, c, m, n), each with its thread's scratch;
 * - `gemm_pack_b_panels(thread, begin, end, b, rsB, csB, kc, nc, dst)`: packs NR-wide panels
 *   [begin, end) of one kc×nc B block (b at its corner) into a block shared by all threads;
 * - `gemm_row_blocks(thread, begin, end, a, c, m, rsA, csA, kc, nc, ldc, bPacked, first, scratch,
 *   scratchStride)`: multiplies MC-row blocks [begin, end) of A (a at column pc) by that block.
 * The last two split one large product over threads sharing one packed B block (as BLIS does).
 * Returns `gemm`, for other functions of the module to call.
 */
export function emitGemm(m: ModuleBuilder, s: GemmShape = defaultGemmShape): FunctionBuilder {
  // NOTE: the packed blocks are sized mc×kc and kc×nc, so panels must tile them exactly.
  if (s.mc % s.mr !== 0 || s.nc % s.nr !== 0 || s.nr % 4 !== 0) {
    throw new ConfigError('gemm', 'shape', 'mc a multiple of mr, nc a multiple of nr, nr a multiple of 4', JSON.stringify(s));
  }
  const micro = emitMicroKernel(m, s);
  const packA = emitPack(m, 'gemm_pack_a', s.mr);
  const packB = emitPack(m, 'gemm_pack_b', s.nr);
  const merge = emitMergeTile(m, s);
  const macro = emitMacroKernel(m, s, micro, merge);
  const rowBlocks = emitRowBlocks(m, s, packA, macro);
  const toBytes = (f: FunctionBuilder, ...strides: Local[]) => {
    for (const stride of strides) f.get(stride).i32Const(2).i32Shl().set(stride);
  };
  const aBlockBytes = s.mc * s.kc * 4;

  const g = m.declare('gemm', Array<'i32'>(12).fill('i32'));
  {
    const [a, b, c, rows, cols, k, rsA, csA, rsB, csB, ldc, scratch] = g.params;
    const [jc, nc, pc, kc, bBlock, tile] = Array.from({ length: 6 }, () => g.local('i32'));
    toBytes(g, rsA, csA, rsB, csB);
    g.get(scratch).i32Const(aBlockBytes).i32Add().tee(bBlock).i32Const(s.kc * s.nc * 4).i32Add().set(tile);
    g.forRange(jc, () => g.i32Const(0), () => g.get(cols), s.nc, () => {
      emitMinRemaining(g, nc, cols, jc, s.nc);
      g.forRange(pc, () => g.i32Const(0), () => g.get(k), s.kc, () => {
        emitMinRemaining(g, kc, k, pc, s.kc);
        // B block (kc × nc) at b + pc·rsB + jc·csB, as NR-wide panels.
        getAll(g, b, pc, rsB).i32Mul().i32Add().get(jc).get(csB).i32Mul().i32Add();
        g.get(csB).get(rsB).get(nc).get(kc).get(bBlock).call(packB);
        // A at column pc, C at column jc; the first K block stores, the later ones accumulate.
        getAll(g, a, pc, csA).i32Mul().i32Add().get(c).get(jc).i32Const(2).i32Shl().i32Add();
        getAll(g, rows, rsA, csA, kc, nc, ldc, bBlock).get(pc).i32Eqz().get(scratch).get(tile).call(rowBlocks);
      });
    });
  }

  m.function('gemm_items', Array<'i32'>(12).fill('i32'), [], (f) => {
    const [thread, begin, end, table, k, rsA, csA, rsB, csB, ldc, scratch, scratchStride] = f.params;
    const [item, at, own] = [f.local('i32'), f.local('i32'), f.local('i32')];
    getAll(f, scratch, thread, scratchStride).i32Mul().i32Add().set(own);
    f.forRange(item, () => f.get(begin), () => f.get(end), 1, () => {
      getAll(f, table, item).i32Const(gemmItemBytes).i32Mul().i32Add().set(at);
      for (let field = 0; field < 5; field++) f.get(at).i32Load(field * 4);
      getAll(f, k, rsA, csA, rsB, csB, ldc, own).call(g);
    });
  });

  m.function('gemm_pack_b_panels', Array<'i32'>(9).fill('i32'), [], (f) => {
    const [, begin, end, b, rsB, csB, kc, nc, dst] = f.params;
    const [first, lines] = [f.local('i32'), f.local('i32')];
    toBytes(f, rsB, csB);
    f.get(begin).i32Const(s.nr).i32Mul().set(first);
    // lines = min(end·NR, nc) − begin·NR
    f.get(end).i32Const(s.nr).i32Mul().get(nc).get(end).i32Const(s.nr).i32Mul().get(nc).i32LtS().select().get(first).i32Sub().set(lines);
    getAll(f, b, first, csB).i32Mul().i32Add().get(csB).get(rsB).get(lines).get(kc);
    getAll(f, dst, first, kc).i32Mul().i32Const(2).i32Shl().i32Add().call(packB);
  });

  m.function('gemm_row_blocks', Array<'i32'>(15).fill('i32'), [], (f) => {
    const [thread, begin, end, a, c, rows, rsA, csA, kc, nc, ldc, bBlock, first, scratch, scratchStride] = f.params;
    const [start, own] = [f.local('i32'), f.local('i32')];
    toBytes(f, rsA, csA);
    getAll(f, scratch, thread, scratchStride).i32Mul().i32Add().set(own);
    f.get(begin).i32Const(s.mc).i32Mul().set(start);
    getAll(f, a, start, rsA).i32Mul().i32Add();
    getAll(f, c, start, ldc).i32Mul().i32Const(2).i32Shl().i32Add();
    // rows = min(end·MC, m) − begin·MC
    f.get(end).i32Const(s.mc).i32Mul().get(rows).get(end).i32Const(s.mc).i32Mul().get(rows).i32LtS().select().get(start).i32Sub();
    getAll(f, rsA, csA, kc, nc, ldc, bBlock, first, own);
    f.get(own).i32Const(aBlockBytes).i32Add().call(rowBlocks);
  });
  return g;
}
