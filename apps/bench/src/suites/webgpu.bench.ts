// The WebGPU suite (issue 4): fp32 matmul GFLOP/s (square 256 … 4096 and batched attention-shaped
// products), softmax and layerNorm GB/s, for longshort-webgpu against tfjs-backend-webgpu (and jax-js
// on WebGPU where it loads) on the same adapter in the same process. Every library's first output
// is checked against float64 loops, then the libraries are timed interleaved (one run of each in
// turn) and medians compared. Each timed run includes the read-back of the result, as a user sees it.
// Bytes of softmax / layerNorm: the input read once and the output written once (4 bytes each).
import { relativeError } from '@longshort/tensor/testing';
import type { LayerNormOperands, OpLibrary, OpOperands, PreparedRun, SoftmaxOperands } from '../library.js';
import { measureInterleaved, timed, type Budget } from '../measure.js';
import { computeRatios, gflops, summarize, type CaseReport } from '../report.js';
import { makeOperands, matmulFlops, matmulTolerance, productError, uniform } from './matmul.bench.js';

export type WebGPUCase =
  | { name: string; op: 'matmul'; batch: number; m: number; k: number; n: number }
  | { name: string; op: 'softmax' | 'layerNorm'; rows: number; cols: number };

const square = (size: number): WebGPUCase => ({ name: `matmul ${size}²`, op: 'matmul', batch: 1, m: size, k: size, n: size });

/**
 * The full suite; on a software adapter the 2048² and 4096² products (minutes per run there) are left out.
 * @example webgpuCases({ software: true }).length // 7
 */
export function webgpuCases({ software }: { software: boolean }): WebGPUCase[] {
  return [
    ...[256, 512, 1024, ...(software ? [] : [2048, 4096])].map(square),
    // Scores of 64-query window blocks against 64 + 64 keys, and their values (d = 64), 4 heads × 64 blocks.
    { name: 'attn scores 256x[64x64]·[64x128]', op: 'matmul', batch: 256, m: 64, k: 64, n: 128 },
    { name: 'attn values 256x[64x128]·[128x64]', op: 'matmul', batch: 256, m: 64, k: 128, n: 64 },
    { name: 'softmax 4096x1024', op: 'softmax', rows: 4096, cols: 1024 },
    { name: 'layerNorm 8192x512', op: 'layerNorm', rows: 8192, cols: 512 },
  ];
}

/** Tiny sizes for a smoke run (`--quick`). */
export const quickWebgpuCases: readonly WebGPUCase[] = [
  square(16),
  { name: 'attn 4x[8x8]·[8x16]', op: 'matmul', batch: 4, m: 8, k: 8, n: 16 },
  { name: 'softmax 8x33', op: 'softmax', rows: 8, cols: 33 },
  { name: 'layerNorm 8x33', op: 'layerNorm', rows: 8, cols: 33 },
];

/** Softmax and layerNorm outputs must match float64 loops to this relative error. */
const rowOpTolerance = 1e-5;

/** Seeded operands of a case. */
export function caseOperands(c: WebGPUCase, seed: number): OpOperands {
  if (c.op === 'matmul') return { op: 'matmul', ...makeOperands({ ...c }, seed) };
  const next = uniform(seed);
  const fill = (size: number, scale: number, shift = 0) => Float32Array.from({ length: size }, () => shift + (next() * 2 - 1) * scale);
  const x = fill(c.rows * c.cols, 4);
  if (c.op === 'softmax') return { op: 'softmax', rows: c.rows, cols: c.cols, x };
  return { op: 'layerNorm', rows: c.rows, cols: c.cols, eps: 1e-5, x, gamma: fill(c.cols, 0.5, 1), beta: fill(c.cols, 0.5) };
}

/**
 * Float64 softmax / layerNorm of every row.
 * @example rowOpReference({ op: 'softmax', rows: 1, cols: 2, x: Float32Array.of(0, 0) }) // [0.5, 0.5]
 */
export function rowOpReference(operands: ({ op: 'softmax' } & SoftmaxOperands) | ({ op: 'layerNorm' } & LayerNormOperands)): Float64Array {
  const { rows, cols, x } = operands;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols);
    if (operands.op === 'softmax') {
      const top = row.reduce((a, b) => Math.max(a, b), -Infinity);
      let total = 0;
      for (let j = 0; j < cols; j++) total += out[r * cols + j] = Math.exp(row[j] - top);
      for (let j = 0; j < cols; j++) out[r * cols + j] /= total;
    } else {
      const mean = row.reduce((a, b) => a + b, 0) / cols;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / cols;
      const scale = 1 / Math.sqrt(variance + operands.eps);
      for (let j = 0; j < cols; j++) out[r * cols + j] = (row[j] - mean) * scale * operands.gamma[j] + operands.beta[j];
    }
  }
  return out;
}

/** The output's relative error against float64 loops, and the tolerance it must meet. */
function outputError(operands: OpOperands, output: Float32Array): { error: number; tolerance: number } {
  if (operands.op === 'matmul') return { error: productError(operands, output), tolerance: matmulTolerance };
  const reference = rowOpReference(operands);
  return { error: output.length === reference.length ? relativeError(output, reference) : Infinity, tolerance: rowOpTolerance };
}

/** FLOPs (matmul) or bytes moved (softmax, layerNorm: input read, output written) of one run. */
export function caseWork(c: WebGPUCase): { flops: number } | { bytes: number } {
  return c.op === 'matmul' ? { flops: matmulFlops(c) } : { bytes: 2 * 4 * c.rows * c.cols };
}

export interface WebgpuSuiteOptions {
  /** The first library is "ours": ratios are its throughput over each peer's. */
  libraries: readonly OpLibrary[];
  cases: readonly WebGPUCase[];
  budget: Budget;
  log?: (message: string) => void;
}

/**
 * Runs every case: prepare every library (untimed), validate each first output, then time the valid
 * ones interleaved. Ratios: GFLOP/s (matmul) or GB/s (softmax, layerNorm) of ours ÷ the peer's.
 * @example const cases = await runWebgpuSuite({ libraries: [ours, tfjs], cases: quickWebgpuCases, budget });
 */
export async function runWebgpuSuite({ libraries, cases, budget, log = () => {} }: WebgpuSuiteOptions): Promise<CaseReport[]> {
  const reports: CaseReport[] = [];
  for (const [index, c] of cases.entries()) {
    const operands = caseOperands(c, index + 1);
    const work = caseWork(c);
    const results: CaseReport['results'] = {};
    const timedRuns: { library: OpLibrary; prepared: PreparedRun; firstMs: number; error: number }[] = [];
    const prepared: PreparedRun[] = [];
    try {
      for (const library of libraries) {
        try {
          const run = await library.prepare(operands);
          prepared.push(run);
          const first = await timed(() => run.run());
          const { error, tolerance } = outputError(operands, first.value);
          if (error <= tolerance) timedRuns.push({ library, prepared: run, firstMs: first.ms, error });
          else results[library.name] = { error: `output differs from float64 loops: max relative error ${error} > ${tolerance}` };
        } catch (error) {
          results[library.name] = { error: error instanceof Error ? error.message : String(error) };
        }
      }
      const times = await measureInterleaved(timedRuns.map((r) => () => r.prepared.run()), timedRuns.map((r) => r.firstMs), budget);
      timedRuns.forEach(({ library, error }, i) => {
        const stats = summarize(times[i]);
        const throughput = 'flops' in work ? { gflops: gflops(work.flops, stats.median_ms) } : { gbps: work.bytes / stats.median_ms / 1e6 };
        results[library.name] = { ...stats, ...throughput, threads: library.info.threads, max_rel_error: error };
      });
    } finally {
      for (const run of prepared) run.dispose();
    }
    for (const library of libraries) {
      const result = results[library.name];
      if (!result) continue;
      const rate = 'error' in result ? `error: ${result.error}` : result.gbps !== undefined ? `${result.gbps.toFixed(2)} GB/s` : `${(result.gflops ?? NaN).toFixed(2)} GFLOP/s`;
      log(`${c.name} ${library.name}: ${'error' in result ? rate : `${result.median_ms.toFixed(2)} ms, ${rate} (${result.runs} runs)`}`);
    }
    const dims: Record<string, number> = c.op === 'matmul' ? { batch: c.batch, m: c.m, k: c.k, n: c.n } : { rows: c.rows, cols: c.cols };
    reports.push({
      name: c.name, flops: 'flops' in work ? work.flops : 0, dims, results,
      ratios: computeRatios(results, libraries[0]?.name ?? '', 'flops' in work ? 'gflops' : 'gbps'),
    });
  }
  return reports;
}
