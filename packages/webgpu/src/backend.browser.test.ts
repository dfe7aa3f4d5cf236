// The WebGPU backend in a real browser (headless Debian Chromium, --enable-unsafe-webgpu, the
// SwiftShader adapter): made from navigator.gpu, it passes a subset of the shared conformance suite
// and trains a few AdamW steps on the GPU alone, following the CPU reference.
import {
  AdamW, Generator, Linear, createCpuBackend, crossEntropy, fromArray, gelu, getBackend, setBackend, tidy, type Backend,
} from '@longshort/tensor';
import { expectClose, runConformance } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebGPUBackend } from './backend.js';

const gpu = await createWebGPUBackend();

/** Losses of 5 AdamW steps of a two-layer classifier on fixed data, on `target`. */
async function losses(target: Backend): Promise<number[]> {
  const previous = getBackend();
  setBackend(target);
  try {
    const g = new Generator(3);
    const [first, second] = [new Linear(8, 16, { generator: g }), new Linear(16, 5, { generator: g })];
    const x = fromArray(Array.from({ length: 6 * 8 }, () => g.uniform() * 2 - 1), [6, 8]);
    const y = fromArray([0, 1, 2, 3, 4, 0], [6], 'i32');
    const optimizer = new AdamW([...first.parameters(), ...second.parameters()], { lr: 1e-2 });
    const out: number[] = [];
    for (let step = 0; step < 5; step++) {
      const loss = tidy(() => {
        const value = crossEntropy(second.forward(gelu(first.forward(x))), y);
        value.backward();
        return value;
      });
      out.push((await loss.data())[0]);
      loss.dispose();
      optimizer.step();
      first.zeroGrad();
      second.zeroGrad();
    }
    optimizer.dispose();
    first.dispose();
    second.dispose();
    x.dispose();
    y.dispose();
    return out;
  } finally {
    setBackend(previous);
  }
}

describe('the WebGPU backend in Chromium', () => {
  afterAll(() => gpu.dispose());

  it('gets a device from navigator.gpu and reports the adapter', () => {
    expect(typeof navigator.gpu).toBe('object');
    expect(gpu.webgpu.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(gpu.capabilities.dtypes).toContain('f32');
  });

  it('passes the shared conformance suite (matmul, reductions, softmax, layerNorm, indexing) on GPU kernels', async () => {
    const filter = /^(matmul|sum|max|softmax|logSoftmax|layerNorm|gelu|add|mul|where|gather|scatterAdd|concat|pad|conv2d)/;
    const results = await runConformance(gpu, { draws: 1, filter });
    expect(results.length).toBeGreaterThan(10);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`)).toEqual([]);
    expect(gpu.stats().fallbacks).toEqual({});
  }, 120_000);

  it('trains on the GPU, following the CPU reference', async () => {
    const reference = createCpuBackend({ name: 'cpu-reference', kernels: 'reference' });
    const [cpu, onGpu] = [await losses(reference), await losses(gpu)];
    reference.dispose();
    expectClose(onGpu, cpu, { atol: 1e-4, rtol: 1e-4 }, 'losses');
    expect(onGpu[4]).toBeLessThan(onGpu[0]);
  }, 60_000);
});
