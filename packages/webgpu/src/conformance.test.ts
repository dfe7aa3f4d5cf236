// The shared conformance suite of @longshort/tensor/testing on WebGPU (Dawn): every op case runs
// here and on the CPU reference with the same seeded inputs; all must pass, on GPU kernels only
// (cases needing a dtype this adapter lacks would be reported as skipped, with the reason).
import { runConformance } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { backendForTests } from './test-support.js';

const backend = await backendForTests();

describe.skipIf(!backend)('conformance on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());

  it('passes every case of the shared suite', async () => {
    const results = await runConformance(gpu, { draws: 2 });
    const failures = results.filter((r) => !r.ok);
    for (const r of results.filter((r) => r.skipped)) console.info(`${r.name}: ${r.message}`);
    expect(results.length).toBeGreaterThan(20);
    expect(failures.map((f) => `${f.name}: ${f.message}`)).toEqual([]);
    // Every primitive ran on a GPU kernel: nothing fell back to the CPU.
    expect(gpu.stats().fallbacks).toEqual({});
  }, 600_000);
});
