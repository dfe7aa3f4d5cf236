// Smoke test of the matmul suite at tiny sizes on longshort's CPU backend only (`--quick`), plus
// the checks it relies on: the FLOP formula and the float64 validation that gates timing.
import { describe, expect, it } from 'vitest';
import type { MatmulLibrary } from '../library.js';
import { createLongshortCpu } from '../longshort.js';
import { makeOperands, matmulFlops, productError, quickMatmulCases, runMatmulSuite } from './matmul.bench.js';

const budget = { warmupRuns: 1, minRuns: 3, minTimeMs: 0, maxRuns: 3, slowRunMs: Infinity };

describe('matmul suite', () => {
  it('counts 2·M·N·K·batch FLOPs', () => {
    expect(matmulFlops({ batch: 1, m: 2, k: 3, n: 4 })).toBe(48);
    expect(matmulFlops({ batch: 256, m: 64, k: 64, n: 128 })).toBe(268_435_456);
  });

  it('measures a plain product as exact and a perturbed one as wrong', () => {
    const operands = makeOperands({ name: 't', batch: 2, m: 3, k: 5, n: 4 }, 3);
    const product = new Float32Array(2 * 3 * 4);
    for (let matrix = 0; matrix < 2; matrix++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 4; j++) {
          let dot = 0;
          for (let p = 0; p < 5; p++) dot += operands.a[(matrix * 3 + i) * 5 + p] * operands.b[(matrix * 5 + p) * 4 + j];
          product[(matrix * 3 + i) * 4 + j] = dot;
        }
      }
    }
    expect(productError(operands, product)).toBeLessThan(1e-6);
    product[17] += 0.5;
    expect(productError(operands, product)).toBeGreaterThan(1e-2);
    expect(productError(operands, product.subarray(1))).toBe(Infinity);
  });

  it('runs the quick cases on longshort-cpu and reports timings for each', async () => {
    const reports = await runMatmulSuite({ libraries: [createLongshortCpu()], cases: quickMatmulCases, budget });
    expect(reports.map((r) => r.name)).toEqual(quickMatmulCases.map((c) => c.name));
    for (const report of reports) {
      const result = report.results['longshort-cpu'];
      if ('error' in result) throw new Error(result.error);
      expect(result.runs).toBe(3);
      expect(result.p10_ms).toBeLessThanOrEqual(result.median_ms);
      expect(result.median_ms).toBeLessThanOrEqual(result.p90_ms);
      expect(result.gflops!).toBeCloseTo(report.flops / (result.median_ms * 1e6), 9);
      expect(result.max_rel_error).toBeLessThan(1e-6);
      expect(report.ratios).toEqual({});
    }
  });

  it('records an error instead of timing a library whose output is wrong', async () => {
    const wrong: MatmulLibrary = {
      name: 'wrong',
      info: { threads: 1 },
      async prepare({ batch, m, n }) {
        return { run: async () => new Float32Array(batch * m * n).fill(1), dispose() {} };
      },
    };
    const [report] = await runMatmulSuite({ libraries: [createLongshortCpu(), wrong], cases: quickMatmulCases.slice(0, 1), budget });
    expect(report.results.wrong).toEqual({ error: expect.stringContaining('differs from float64 dot products') });
    expect(report.ratios).toEqual({});
  });
});
