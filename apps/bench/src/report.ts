// Benchmark reports (architecture guide B.12): median and p10/p90 of run times, GFLOP/s from the
// suite's FLOP formula, ours ÷ peer ratios, the machine and commit, a JSON file and a readable table.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Run-time statistics of one library on one case, in milliseconds. */
export interface TimingStats {
  runs: number;
  median_ms: number;
  p10_ms: number;
  p90_ms: number;
}

/** What a library reports about itself (thread count, version, build facts). */
export interface LibraryInfo {
  /** Worker threads the library computes with (1 = the calling thread only). */
  threads: number;
  version?: string;
  /** Free-form facts worth recording, e.g. "simd: true, multithread support: false". */
  notes?: string;
}

export interface LibraryResult extends TimingStats {
  /** Compute-bound ops (matmul). */
  gflops?: number;
  /** Memory-bound ops (softmax, layerNorm): bytes moved per second, in GB/s. */
  gbps?: number;
  threads: number;
  /** max|got − ref| / max|ref| of the checked output values (see the suite for which values). */
  max_rel_error: number;
}

export interface CaseReport {
  name: string;
  /** The suite's FLOP count of one run (e.g. 2·M·N·K·batch for matmul). */
  flops: number;
  /** The case's dimensions, e.g. { batch, m, k, n }. */
  dims: Record<string, number>;
  results: Record<string, LibraryResult | { error: string }>;
  /** gflops(reference library) ÷ gflops(peer), per peer with a result. */
  ratios: Record<string, number>;
  /** The same for the single-thread variant of the reference library, when it ran. */
  ratios_single_thread?: Record<string, number>;
}

export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  platform: string;
  arch: string;
  node: string;
  total_memory_gib: number;
}

export interface BenchReport {
  suite: string;
  timestamp: string;
  commit: string | null;
  machine: MachineInfo;
  /** The library the ratios are computed for ("ours"). */
  reference_library: string;
  /** Its single-thread variant, reference of `ratios_single_thread` (when it ran). */
  single_thread_reference?: string;
  ratio_definition: string;
  libraries: Record<string, LibraryInfo | { unavailable: string }>;
  cases: CaseReport[];
}

/**
 * The q-quantile of ascending `sorted` values with linear interpolation (NumPy's default).
 * @example quantile([1, 2, 3, 4], 0.5) // 2.5
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile: values must not be empty; expected at least 1 value, got 0.');
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/**
 * Median and p10/p90 of run times.
 * @example summarize([3, 1, 2]) // { runs: 3, median_ms: 2, p10_ms: 1.2, p90_ms: 2.8 }
 */
export function summarize(timesMs: readonly number[]): TimingStats {
  const sorted = [...timesMs].sort((x, y) => x - y);
  return { runs: sorted.length, median_ms: quantile(sorted, 0.5), p10_ms: quantile(sorted, 0.1), p90_ms: quantile(sorted, 0.9) };
}

/**
 * GFLOP/s of `flops` floating-point operations done in `ms` milliseconds.
 * @example gflops(2e9, 1000) // 2
 */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}

/** A result's throughput: GFLOP/s (compute-bound ops) or GB/s (memory-bound ops). */
export type Throughput = { gflops?: number; gbps?: number };

/**
 * Throughput ratios metric(reference) ÷ metric(peer) for every peer with a result (above 1: the
 * reference library is faster). Empty when the reference library has no result.
 * @example computeRatios({ ours: { gflops: 1, … }, tfjs: { gflops: 4, … } }, 'ours') // { tfjs: 0.25 }
 */
export function computeRatios(results: Readonly<Record<string, Throughput | { error: string }>>, referenceLibrary: string,
  metric: keyof Throughput = 'gflops'): Record<string, number> {
  const ours = results[referenceLibrary];
  if (!ours || 'error' in ours) return {};
  const ratios: Record<string, number> = {};
  for (const [library, result] of Object.entries(results)) {
    if (library === referenceLibrary || 'error' in result) continue;
    ratios[library] = (ours[metric] ?? NaN) / (result[metric] ?? NaN);
  }
  return ratios;
}

/** This machine: CPU count and model, OS, Node version, memory. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model ?? 'unknown',
    platform: os.platform(),
    arch: os.arch(),
    node: process.version,
    total_memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** `git rev-parse HEAD`, or null outside a git checkout. */
export function currentCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * `value` with `digits` decimals, or as is when not finite.
 * @example fixed(2 / 3, 2) // '0.67'
 */
export const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

/**
 * Rows of cells as an aligned plain-text table under `header`, with a rule below the header.
 * @example alignTable(['case', 'ms'], [['8x8x8', '2.00']])
 */
export function alignTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** The report as an aligned plain-text table: one row per case and library. */
export function formatTable(report: BenchReport): string {
  const single = report.single_thread_reference;
  const header = ['case', 'library', 'threads', 'runs', 'median ms', 'p10 ms', 'p90 ms', 'GFLOP/s | GB/s', `${report.reference_library} ÷ it`,
    ...(single ? [`${single} ÷ it`] : [])];
  const rows: string[][] = [];
  for (const caseReport of report.cases) {
    for (const [library, result] of Object.entries(caseReport.results)) {
      if ('error' in result) {
        rows.push([caseReport.name, library, '', '', '', '', '', '', `error: ${result.error}`, ...(single ? [''] : [])]);
        continue;
      }
      const ratio = (ratios: Record<string, number> | undefined) => (ratios?.[library] === undefined ? '' : fixed(ratios[library], 3));
      rows.push([
        caseReport.name, library, String(result.threads), String(result.runs),
        fixed(result.median_ms, 2), fixed(result.p10_ms, 2), fixed(result.p90_ms, 2),
        result.gbps === undefined ? fixed(result.gflops ?? NaN, 3) : `${fixed(result.gbps, 2)} GB/s`,
        ratio(caseReport.ratios), ...(single ? [ratio(caseReport.ratios_single_thread)] : []),
      ]);
    }
  }
  return alignTable(header, rows);
}
