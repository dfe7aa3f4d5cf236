// The attention suite at tiny sizes: fixtures validated, every method timed with peak bytes, the
// fused path checked against the composed one, exact peak models, a confirmed longest n, the stop
// rule, and fused kernels that cannot be registered recorded as unavailable.
import { createCpuBackend, getBackend, type CpuBackend } from '@longshort/tensor';
import { describe, expect, it } from 'vitest';
import { predictPeak } from '../peak-model.js';
import { attentionCharts, attentionFailed, formatAttentionTable, methods, modes, runAttentionSuite, timeAt, type Outcome, type RunResult, type SeriesPoint } from './attention.bench.js';

const tiny = { name: 'tiny', dim: 16, heads: 2, window: 4, landmarks: 4 };
const budget = { warmupRuns: 1, minRuns: 3, minTimeMs: 0, maxRuns: 3, slowRunMs: Infinity };
const scale = { lengths: [32, 64], fitBase: 16, stopRunMs: Infinity, memoryLimitBytes: 2 ** 18, confirmLimitMs: Infinity };

function result<T extends object>(outcome: Outcome<T> | undefined): T {
  if (outcome === undefined || 'error' in outcome || 'skipped' in outcome) throw new Error(`expected a result, got ${JSON.stringify(outcome)}`);
  return outcome as T;
}

describe('attention suite', () => {
  it('validates, times and models every method, and confirms the longest n', async () => {
    const before = getBackend();
    const report = await runAttentionSuite({ configs: [tiny], scale, budget });
    expect(getBackend()).toBe(before);
    expect(report.backend.fused).toBe('registered');
    expect(report.validation.fixtures).toHaveLength(8);
    for (const fixture of report.validation.fixtures) expect(fixture.ok, `${fixture.fixture} ${fixture.impl}`).toBe(true);
    const [config] = report.configs;
    for (const method of methods) {
      const entry = config.methods[method];
      expect(entry.series.map((p) => p.n)).toEqual([32, 64]);
      expect(entry.stopped).toEqual({ forward: null, forward_backward: null });
      for (const point of entry.series) {
        for (const mode of modes) {
          const run = result(point[mode]);
          expect(run.runs).toBe(3);
          expect(run.p10_ms).toBeLessThanOrEqual(run.median_ms);
          expect(run.median_ms).toBeLessThanOrEqual(run.p90_ms);
          expect(run.peak_bytes).toBeGreaterThan(0);
        }
        if (method === 'long-short-fused') expect(result(point.check_vs_composed).output).toBeLessThan(1e-5);
        else expect(point.check_vs_composed).toBeUndefined();
      }
      for (const mode of modes) {
        const model = result(entry.peak_model[mode]);
        expect(model.checks.length).toBeGreaterThan(0);
        expect(model.checks.every((c) => c.exact)).toBe(true);
        for (const point of entry.series) expect(predictPeak(model, point.n)).toBeCloseTo(result(point[mode]).peak_bytes, 3);
        // Full attention holds n × n scores; long-short attention nothing quadratic.
        if (method === 'full') expect(model.coefficients[2]).toBeGreaterThan(0);
        else expect(Math.abs(model.coefficients[2])).toBeLessThan(1e-6);
        const longest = result(entry.longest_n[mode]);
        expect(longest.n % tiny.window).toBe(0);
        expect(longest.predicted_peak_bytes).toBeLessThanOrEqual(scale.memoryLimitBytes);
        expect(longest.next_predicted_peak_bytes).toBeGreaterThan(scale.memoryLimitBytes);
        expect(result(longest.confirmation)).toMatchObject({ peak_bytes: longest.predicted_peak_bytes, exact: true });
      }
    }
    const fusedLongest = result(config.methods['long-short-fused'].longest_n.forward_backward).n;
    expect(fusedLongest).toBeGreaterThan(result(config.methods.full.longest_n.forward_backward).n);
    expect(attentionFailed(report)).toBe(false);
    const table = formatAttentionTable(report);
    expect(table).toMatch(/^config\s+method\s+n\s+fwd ms/);
    expect(table).toContain(`tiny    long-short-fused     forward_backward  ${fusedLongest}`);
    const charts = attentionCharts(report);
    expect(charts.time[0].series.map((s) => s.name)).toContain('full forward+backward');
    expect(charts.memory[0].series).toHaveLength(6);
    expect(charts.memory[0].guides).toEqual([{ y: 2 ** 18, label: '256 KiB limit' }]);
  });

  it('stops a series after a slow run and records fused kernels that cannot be registered', async () => {
    const withoutFused = (): CpuBackend => ({ ...createCpuBackend(), registerKernel() { throw new Error('no kernels here'); } });
    const report = await runAttentionSuite({ configs: [tiny], scale: { ...scale, lengths: [16, 32], stopRunMs: 0 }, budget, createBackend: withoutFused });
    expect(report.backend.fused).toContain('no kernels here');
    expect(report.validation.fixtures.map((f) => f.impl)).toEqual(['composed', 'composed', 'composed', 'composed']);
    const { methods: entries } = report.configs[0];
    expect(entries['long-short-fused'].unavailable).toContain('no kernels here');
    expect(entries['long-short-fused'].series).toEqual([]);
    for (const method of ['long-short-composed', 'full'] as const) {
      const [first, second] = entries[method].series;
      for (const mode of modes) {
        expect(result(first[mode]).runs).toBe(1);
        expect(second[mode]).toEqual({ skipped: expect.stringContaining('the run at n = 16 took') });
        expect(entries[method].stopped[mode]).toContain('it is the only timed run there');
      }
    }
    expect(attentionFailed(report)).toBe(false);
    expect(report.targets.every((t) => t.met === null)).toBe(true);
  });
});

describe('timeAt', () => {
  const run = (median: number): RunResult => ({ runs: 1, median_ms: median, p10_ms: median, p90_ms: median, peak_bytes: 1 });
  const series: SeriesPoint[] = [
    { n: 1024, load_1m: 0, forward: run(10), forward_backward: run(40) },
    { n: 2048, load_1m: 0, forward: run(40), forward_backward: { skipped: 'slow' } },
    { n: 4096, load_1m: 0, forward: run(80), forward_backward: { skipped: 'slow' } },
  ];

  it('reports a measured time, or extrapolates along the least-squares log-log slope or an assumed exponent', () => {
    expect(timeAt(series, 'forward', 2048, 1)).toEqual({ ms: 40, measured: true, note: 'measured' });
    // log2 times 0, 2, 3 (+ log2 10) over log2 n 10, 11, 12: slope 1.5, from 80 ms at n = 4096.
    expect(timeAt(series, 'forward', 16384, 1)).toMatchObject({ ms: expect.closeTo(80 * 4 ** 1.5, 9), measured: false, note: expect.stringContaining('n^1.50') });
    expect(timeAt(series, 'forward_backward', 4096, 2)).toMatchObject({ ms: 640, measured: false });
    expect(timeAt([], 'forward', 1024, 1)).toBeNull();
  });
});
