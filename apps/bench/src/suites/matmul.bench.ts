// The matmul suite: fp32 GFLOP/s of square products (256 … 2048) and of a batched attention-shaped
// product, 256 × [64×64]·[64×128] (heads × windows of 64 queries against 64 + 64 keys), for longshort
// and its peers on the same inputs. Each library's output is checked against float64 dot products
// before it is timed (llm.c dev/cuda: validate, then time).
// FLOPs of one run: 2·M·N·K·batch (a multiply and an add per inner-product term).
import { relativeError } from '@longshort/tensor/testing';
import type { MatmulLibrary, MatmulOperands, PreparedRun } from '../library.js';
import { measureAfterFirstRun, timed, type Budget } from '../measure.js';
import { computeRatios, gflops, summarize, type CaseReport } from '../report.js';

export interface MatmulCase {
  name: string;
  batch: number;
  m: number;
  k: number;
  n: number;
}

const square = (size: number): MatmulCase => ({ name: `${size}x${size}x${size}`, batch: 1, m: size, k: size, n: size });

/** The full suite. */
export const matmulCases: readonly MatmulCase[] = [
  square(256), square(512), square(1024), square(2048),
  { name: 'attn 256x[64x64]·[64x128]', batch: 256, m: 64, k: 64, n: 128 },
];

/** Tiny sizes for a smoke run (`--quick`). */
export const quickMatmulCases: readonly MatmulCase[] = [
  square(8), square(16),
  { name: 'attn 4x[8x8]·[8x16]', batch: 4, m: 8, k: 8, n: 16 },
];

/** Outputs must match float64 dot products to this relative error (max|diff| / max|ref|). */
export const matmulTolerance = 1e-4;

/** Products with more entries than this are checked on `sampledEntries` seeded positions. */
const fullCheckLimit = 1 << 16;
const sampledEntries = 4096;

/**
 * FLOPs of one (batched) matmul: 2·M·N·K·batch.
 * @example matmulFlops({ batch: 1, m: 2, k: 3, n: 4 }) // 48
 */
export function matmulFlops({ batch, m, k, n }: Pick<MatmulCase, 'batch' | 'm' | 'k' | 'n'>): number {
  return 2 * m * n * k * batch;
}

/**
 * A seeded generator of uniform values in [0, 1) (mulberry32).
 * @example const next = uniform(1); next() // 0.627…
 */
export function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Seeded fp32 operands with values uniform in [-1, 1).
 * @example makeOperands({ name: 'tiny', batch: 1, m: 2, k: 2, n: 2 }, 1)
 */
export function makeOperands({ batch, m, k, n }: MatmulCase, seed: number): MatmulOperands {
  const next = uniform(seed);
  const fill = (size: number) => Float32Array.from({ length: size }, () => next() * 2 - 1);
  return { batch, m, k, n, a: fill(batch * m * k), b: fill(batch * k * n) };
}

/**
 * The relative error max|got − ref| / max|ref| of a product against float64 dot products, on every
 * entry of small products and on seeded sampled entries of large ones.
 * @example productError(operands, await prepared.run()) // ≈ 1e-7
 */
export function productError(operands: MatmulOperands, got: Float32Array): number {
  const { batch, m, k, n, a, b } = operands;
  const total = batch * m * n;
  if (got.length !== total) return Infinity;
  const next = uniform(7);
  const count = Math.min(total, total <= fullCheckLimit ? total : sampledEntries);
  const checked = new Float64Array(count);
  const reference = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    const index = count === total ? s : Math.floor(next() * total);
    const matrix = Math.floor(index / (m * n));
    const i = Math.floor(index / n) % m;
    const j = index % n;
    let dot = 0;
    for (let p = 0; p < k; p++) dot += a[(matrix * m + i) * k + p] * b[(matrix * k + p) * n + j];
    checked[s] = got[index];
    reference[s] = dot;
  }
  return relativeError(checked, reference);
}

export interface MatmulSuiteOptions {
  /** The first library is "ours": ratios are its GFLOP/s over each peer's. */
  libraries: readonly MatmulLibrary[];
  cases: readonly MatmulCase[];
  budget: Budget;
  /** Progress messages (one per case and library). */
  log?: (message: string) => void;
  /** A second "ours" (e.g. longshort-cpu-1t): each case also gets its `ratios_single_thread`. */
  singleThreadReference?: string;
}

/**
 * Runs every case on every library: prepare (untimed), validate, warm up, time; one report per case.
 * @example const cases = await runMatmulSuite({ libraries: [createLongshortCpu()], cases: quickMatmulCases, budget });
 */
export async function runMatmulSuite({ libraries, cases, budget, log = () => {}, singleThreadReference }: MatmulSuiteOptions): Promise<CaseReport[]> {
  const reports: CaseReport[] = [];
  for (const [caseIndex, matmulCase] of cases.entries()) {
    const operands = makeOperands(matmulCase, caseIndex + 1);
    const flops = matmulFlops(matmulCase);
    const results: CaseReport['results'] = {};
    for (const library of libraries) {
      // Validates `output`, then times the library (`times`) only when it is right.
      const check = async (output: Float32Array, times: () => Promise<number[]>): Promise<CaseReport['results'][string]> => {
        const error = productError(operands, output);
        if (!(error <= matmulTolerance)) return { error: `output differs from float64 dot products: max relative error ${error} > ${matmulTolerance}` };
        const stats = summarize(await times());
        return { ...stats, gflops: gflops(flops, stats.median_ms), threads: library.info.threads, max_rel_error: error };
      };
      let prepared: PreparedRun | null = null;
      try {
        if ('measureSelf' in library) {
          // NOTE: timed in its own process, so its first output is checked after its runs; wrong output discards them.
          const measured = await library.measureSelf(operands, budget);
          results[library.name] = await check(measured.output, async () => measured.timesMs);
        } else {
          prepared = await library.prepare(operands);
          const run = prepared.run.bind(prepared);
          const first = await timed(run);
          results[library.name] = await check(first.value, () => measureAfterFirstRun(run, first.ms, budget));
        }
      } catch (error) {
        results[library.name] = { error: error instanceof Error ? error.message : String(error) };
      } finally {
        prepared?.dispose();
      }
      const result = results[library.name];
      log(`${matmulCase.name} ${library.name}: ${'error' in result ? `error: ${result.error}` : `${result.median_ms.toFixed(2)} ms, ${(result.gflops ?? NaN).toFixed(3)} GFLOP/s (${result.runs} runs)`}`);
    }
    const dims = { batch: matmulCase.batch, m: matmulCase.m, k: matmulCase.k, n: matmulCase.n };
    const ratios = computeRatios(results, libraries[0]?.name ?? '');
    const single = singleThreadReference !== undefined && singleThreadReference in results
      ? { ratios_single_thread: computeRatios(results, singleThreadReference) } : {};
    reports.push({ name: matmulCase.name, flops, dims, results, ratios, ...single });
  }
  return reports;
}
