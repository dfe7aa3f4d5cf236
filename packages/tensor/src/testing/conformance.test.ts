import { describe, expect, it } from 'vitest';
import { cpuKernels } from '../backends/cpu/manifest.js';
import { createCpuBackend, primitiveOps, type CpuKernel } from '../index.js';
import { opCases, runConformance } from './index.js';

describe('runConformance', () => {
  it('passes every case on a second CPU backend instance', async () => {
    const results = await runConformance(createCpuBackend({ name: 'cpu-under-test', kernels: 'reference' }), { seed: 3 });
    expect(results).toHaveLength(opCases.length);
    const failures = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`);
    expect(failures).toEqual([]);
    // Same kernels, same inputs: bit-identical, not merely close.
    expect(results.every((r) => r.maxAbsDiff === 0)).toBe(true);
  });

  it('reports a backend with a wrong kernel as failing, and only the cases that use it', async () => {
    const broken = createCpuBackend({ name: 'broken-exp' });
    const wrongExp: CpuKernel = (_inputs, [out]) => {
      out.array.fill(1);
    };
    broken.registerKernel('exp', wrongExp);
    const results = await runConformance(broken, { filter: /^(exp|add|sigmoid|logsumexp)$/ });
    const byName = new Map(results.map((r) => [r.name, r]));
    expect(byName.get('exp')!.ok).toBe(false);
    expect(byName.get('exp')!.maxAbsDiff).toBeGreaterThan(0);
    expect(byName.get('exp')!.message).toContain('output:');
    expect(byName.get('logsumexp')!.ok).toBe(false);
    expect(byName.get('add')!.ok).toBe(true);
    expect(byName.get('sigmoid')!.ok).toBe(true);
  });

  it('catches an off-by-one in the first output element of every primitive kernel', async () => {
    for (const op of Object.keys(primitiveOps) as (keyof typeof cpuKernels)[]) {
      const broken = createCpuBackend({ name: `off-by-one-${op}` });
      const { kernel, strided } = cpuKernels[op];
      broken.registerKernel(op, (inputs, outputs, attrs) => {
        kernel(inputs, outputs, attrs);
        if (outputs[0].array.length > 0) outputs[0].array[0] += 1;
      }, { strided });
      // the backward kernels of conv2d are exercised by the gradient checks of the conv2d cases
      const results = await runConformance(broken, { filter: op.startsWith('conv2d') ? 'conv2d' : op });
      expect(results.length, op).toBeGreaterThan(0);
      expect(results.some((r) => !r.ok), `no case caught a broken '${op}' kernel`).toBe(true);
    }
  });

  it('reports a wrong gradient even when the forward pass is right', async () => {
    // A backend whose `mul` kernel is right but whose `where` (used by relu's gradient) is not.
    const broken = createCpuBackend({ name: 'broken-where' });
    const wrongWhere: CpuKernel = (_inputs, [out]) => {
      out.array.fill(7);
    };
    broken.registerKernel('where', wrongWhere);
    const [relu] = await runConformance(broken, { filter: 'relu' });
    expect(relu.ok).toBe(false);
    expect(relu.message).toContain('gradient of float input 0');
    expect(relu.message).not.toContain('output:');
  });

  it('reports a kernel that throws, with the error', async () => {
    const broken = createCpuBackend({ name: 'throws' });
    broken.registerKernel('matmul', () => {
      throw new RangeError('boom');
    });
    const results = await runConformance(broken, { filter: 'matmul' });
    expect(results.length).toBeGreaterThan(3);
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(r.message).toContain('RangeError: boom');
    }
  });

  it('selects cases by name prefix, RegExp or predicate, and skips undeclared dtypes', async () => {
    const cpu = createCpuBackend();
    expect((await runConformance(cpu, { filter: 'cast' })).map((r) => r.name)).toEqual(
      opCases.filter((c) => c.name.startsWith('cast/')).map((c) => c.name));
    expect((await runConformance(cpu, { filter: (n) => n === 'neg' })).map((r) => r.name)).toEqual(['neg']);
    const noBool = { ...createCpuBackend(), capabilities: { dtypes: ['f32', 'i32'] as const, syncRead: true, info: {} } };
    const [not] = await runConformance(noBool, { filter: 'logicalNot' });
    expect(not).toMatchObject({ ok: true, skipped: true });
    expect(not.message).toContain('bool');
  });
});
