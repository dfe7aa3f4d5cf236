// The WebGPU suite at tiny sizes (`--quick`) on longshort's WebGPU backend (Dawn on SwiftShader, as
// in CI), against a float64 library written here and a wrong one: validation gates timing, ratios
// use GFLOP/s for matmul and GB/s for softmax / layerNorm.
import { createWebGPUBackend } from '@longshort/webgpu';
import { afterAll, describe, expect, it } from 'vitest';
import type { OpLibrary, OpOperands } from '../library.js';
import { createLongshortWebGPU } from '../longshort.js';
import { swiftShaderIcd } from '../webgpu-setup.js';
import { caseOperands, caseWork, quickWebgpuCases, rowOpReference, runWebgpuSuite, webgpuCases } from './webgpu.bench.js';

process.env.VK_ICD_FILENAMES ??= swiftShaderIcd;
process.env.XDG_RUNTIME_DIR ??= '/tmp';
const backend = await createWebGPUBackend();
afterAll(() => backend.dispose());

const budget = { warmupRuns: 1, minRuns: 3, minTimeMs: 0, maxRuns: 3, slowRunMs: Infinity };

/** Float64 loops as a library (then rounded to f32), and one that returns ones. */
function hostLibrary(name: string, wrong = false): OpLibrary {
  const compute = (o: OpOperands): Float32Array => {
    if (o.op !== 'matmul') return Float32Array.from(rowOpReference(o));
    const out = new Float32Array(o.batch * o.m * o.n);
    for (let p = 0; p < o.batch; p++) for (let i = 0; i < o.m; i++) for (let j = 0; j < o.n; j++) {
      let dot = 0;
      for (let t = 0; t < o.k; t++) dot += o.a[(p * o.m + i) * o.k + t] * o.b[(p * o.k + t) * o.n + j];
      out[(p * o.m + i) * o.n + j] = dot;
    }
    return out;
  };
  return {
    name, info: { threads: 1 },
    async prepare(operands) {
      return { run: async () => (wrong ? compute(operands).fill(1) : compute(operands)), dispose() {} };
    },
  };
}

describe('webgpu suite', () => {
  it('computes softmax rows that sum to 1 and layerNorm rows with zero mean and unit variance', () => {
    const softmax = rowOpReference({ op: 'softmax', rows: 2, cols: 3, x: Float32Array.of(1, 2, 3, 0, 0, 0) });
    expect(softmax[0] + softmax[1] + softmax[2]).toBeCloseTo(1, 12);
    expect(softmax[3]).toBeCloseTo(1 / 3, 12);
    expect(softmax[2] / softmax[1]).toBeCloseTo(Math.E, 12);
    const norm = rowOpReference({ op: 'layerNorm', rows: 1, cols: 4, eps: 0, x: Float32Array.of(1, 2, 3, 4), gamma: new Float32Array(4).fill(1), beta: new Float32Array(4) });
    expect(norm.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(norm.reduce((a, b) => a + b * b, 0) / 4).toBeCloseTo(1, 12);
  });

  it('counts FLOPs for matmul and bytes moved for row ops, and leaves 2048² and 4096² out on a software adapter', () => {
    expect(caseWork({ name: 'm', op: 'matmul', batch: 2, m: 3, k: 4, n: 5 })).toEqual({ flops: 240 });
    expect(caseWork({ name: 's', op: 'softmax', rows: 10, cols: 20 })).toEqual({ bytes: 1600 });
    expect(webgpuCases({ software: true }).some((c) => c.name === 'matmul 2048²' || c.name === 'matmul 4096²')).toBe(false);
    expect(webgpuCases({ software: false }).some((c) => c.name === 'matmul 4096²')).toBe(true);
  });

  it('validates and times longshort-webgpu against float64 loops, with ratios per op kind', async () => {
    const libraries = [createLongshortWebGPU(backend), hostLibrary('float64'), hostLibrary('wrong', true)];
    const reports = await runWebgpuSuite({ libraries, cases: quickWebgpuCases, budget });
    expect(reports.map((r) => r.name)).toEqual(quickWebgpuCases.map((c) => c.name));
    for (const [i, report] of reports.entries()) {
      const ours = report.results['longshort-webgpu'];
      if ('error' in ours) throw new Error(ours.error);
      expect(ours.runs).toBe(3);
      expect(ours.max_rel_error).toBeLessThan(1e-5);
      const matmul = quickWebgpuCases[i].op === 'matmul';
      expect(matmul ? ours.gflops : ours.gbps).toBeGreaterThan(0);
      const host = report.results.float64;
      if ('error' in host) throw new Error(host.error);
      const metric = matmul ? 'gflops' : 'gbps';
      expect(report.ratios.float64).toBeCloseTo(ours[metric]! / host[metric]!, 9);
      expect(report.results.wrong).toEqual({ error: expect.stringContaining('differs from float64 loops') });
      expect(report.ratios.wrong).toBeUndefined();
    }
  });

  it('seeds operands: the same case and seed give the same values', () => {
    const [a, b] = [caseOperands(quickWebgpuCases[2], 3), caseOperands(quickWebgpuCases[2], 3)];
    expect(a).toEqual(b);
    expect(caseOperands(quickWebgpuCases[2], 4)).not.toEqual(a);
  });
});
