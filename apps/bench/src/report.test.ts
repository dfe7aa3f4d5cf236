// Report statistics: quantiles with linear interpolation, median/p10/p90, GFLOP/s, ratios, table.
import { describe, expect, it } from 'vitest';
import { computeRatios, formatTable, gflops, quantile, summarize, type BenchReport, type CaseReport } from './report.js';

describe('quantile and summarize', () => {
  it('interpolates linearly between order statistics (NumPy default)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.1)).toBeCloseTo(14, 12);
    expect(quantile([10, 20, 30, 40, 50], 0.9)).toBeCloseTo(46, 12);
    expect(quantile([7], 0.9)).toBe(7);
    expect(() => quantile([], 0.5)).toThrow(RangeError);
  });

  it('sorts the run times and reports median, p10 and p90 without changing its input', () => {
    const times = [9, 1, 5, 3, 7];
    expect(summarize(times)).toEqual({ runs: 5, median_ms: 5, p10_ms: 1.8, p90_ms: 8.2 });
    expect(times).toEqual([9, 1, 5, 3, 7]);
    const even = summarize([4, 1, 3, 2]);
    expect(even.median_ms).toBe(2.5);
    expect(even.p10_ms).toBeCloseTo(1.3, 12);
    expect(even.p90_ms).toBeCloseTo(3.7, 12);
  });

  it('computes GFLOP/s from FLOPs and milliseconds', () => {
    expect(gflops(2 * 1024 ** 3, 1000)).toBeCloseTo(2.147483648, 12);
    expect(gflops(1e9, 500)).toBe(2);
  });
});

describe('computeRatios', () => {
  const result = (value: number) => ({ runs: 3, median_ms: 1, p10_ms: 1, p90_ms: 1, gflops: value, threads: 1, max_rel_error: 0 });

  it('divides the reference GFLOP/s by each peer and skips peers with errors', () => {
    const results: CaseReport['results'] = { ours: result(1), fast: result(4), slow: result(0.5), broken: { error: 'no wasm' } };
    expect(computeRatios(results, 'ours')).toEqual({ fast: 0.25, slow: 2 });
  });

  it('is empty when the reference library failed', () => {
    expect(computeRatios({ ours: { error: 'mismatch' }, peer: result(2) }, 'ours')).toEqual({});
  });
});

describe('formatTable', () => {
  it('prints one aligned row per case and library, errors and ratios included', () => {
    const report: BenchReport = {
      suite: 'matmul', timestamp: '', commit: null, reference_library: 'ours', ratio_definition: '',
      machine: { cpus: 2, cpu_model: 'x', platform: 'linux', arch: 'x64', node: 'v20', total_memory_gib: 1 },
      libraries: {},
      cases: [{
        name: '8x8x8', flops: 1024, dims: {},
        results: { ours: { runs: 3, median_ms: 2, p10_ms: 1, p90_ms: 3, gflops: 0.5, threads: 1, max_rel_error: 0 }, peer: { error: 'failed to load' } },
        ratios: {},
      }],
    };
    const lines = formatTable(report).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^case\s+library\s+threads\s+runs\s+median ms\s+p10 ms\s+p90 ms\s+GFLOP\/s \| GB\/s\s+ours ÷ it$/);
    expect(lines[2]).toMatch(/^8x8x8\s+ours\s+1\s+3\s+2\.00\s+1\.00\s+3\.00\s+0\.500$/);
    expect(lines[3]).toMatch(/^8x8x8\s+peer\s+error: failed to load$/);
  });
});
