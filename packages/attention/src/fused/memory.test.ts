import { createCpuBackend, fromArray, getBackend, memory, noGrad, resetPeakBytes, setBackend, tidy, withImpl, type Tensor } from '@longshort/tensor';
import { randomGenerator, randomValues } from '@longshort/tensor/testing';
import { describe, expect, it } from 'vitest';
import { LongShortAttention } from '../long-short/bidirectional.js';
import { causalLongShortCore, type CausalCoreAttrs } from './causal-core.js';
import { longShortCore } from './long-short-core.js';
import { registerFusedAttentionKernels } from './register.js';

const backend = createCpuBackend({ name: 'cpu-fused-memory' });
registerFusedAttentionKernels(backend);
const d = 32;

function random(shape: number[], seed: number): Tensor {
  return fromArray(randomValues(randomGenerator(seed), shape.reduce((a, b) => a * b, 1)), shape, 'f32', backend);
}

/** Bytes allocated at the peak of `fn` (no gradients) beyond what was live before it, per n·d·4 bytes. */
function peakPerNd(n: number, impl: 'auto' | 'composed', fn: () => Tensor): number {
  const before = memory(backend).liveBytes;
  resetPeakBytes(backend);
  noGrad(() => tidy(() => withImpl(impl, fn).dispose()));
  expect(memory(backend).liveBytes).toBe(before);
  return (memory(backend).peakBytes - before) / (n * d * 4);
}

describe('fused attention memory: peak extra bytes stay ≤ c·n·d·4 as n grows', () => {
  const sizes = [1024, 2048, 4096, 8192];

  it('bidirectional core op: the fused kernel allocates only its outputs (c ≈ 1.03); the composed path ∝ r\' + 2w', () => {
    const [r, w] = [16, 32];
    for (const n of sizes) {
      const [q, k, v] = [1, 2, 3].map((seed) => random([1, 1, n, d], seed));
      const [kBar, vBar] = [4, 5].map((seed) => random([1, 1, r, d], seed));
      const valid = fromArray(new Uint8Array(n).fill(1), [1, n], 'bool', backend);
      const attend = () => longShortCore(q, k, v, kBar, vBar, valid, { window: w, diagonal: false }).context;
      const fusedPeak = peakPerNd(n, 'auto', attend);
      expect(fusedPeak).toBeLessThanOrEqual(1.05); // context (n·d) + lse (n) floats
      if (n <= 2048) expect(peakPerNd(n, 'composed', attend)).toBeGreaterThan(20 * fusedPeak);
      for (const t of [q, k, v, kBar, vBar, valid]) t.dispose();
    }
  });

  it('LongShortAttention module (D = d = 32, r = 16, w = 32): c ≤ 12 with the fused kernel, > 30 composed', () => {
    const previous = getBackend();
    setBackend(backend);
    const module = new LongShortAttention({ dim: d, numHeads: 1, numLandmarks: 16, windowSize: 32 });
    setBackend(previous);
    for (const n of sizes) {
      const x = random([1, n, d], n);
      expect(peakPerNd(n, 'auto', () => module.forward(x))).toBeLessThanOrEqual(12);
      if (n <= 2048) expect(peakPerNd(n, 'composed', () => module.forward(x))).toBeGreaterThan(30);
      x.dispose();
    }
    module.dispose();
  });

  it('causal core op (W = 64, ℓ = 16, r = 2): fused c ≈ 1.03 while the composed [M, N] scores grow with M', () => {
    const W = 64;
    const perNd: number[] = [];
    for (const M of [256, 512, 1024]) {
      const attrs: CausalCoreAttrs = { chunkSize: 16, chunkRank: 2, memoryChunks: 4 };
      const N = (attrs.memoryChunks + M / attrs.chunkSize) * attrs.chunkRank;
      const inputs = {
        q: random([1, 1, M, d], 1), u: random([1, d], 2), v: random([1, d], 3), kWin: random([1, 1, W + M, d], 4), vWin: random([1, 1, W + M, d], 5),
        rWin: random([1, W, d], 6), kBar: random([1, 1, N, d], 7), vBar: random([1, 1, N, d], 8), rChunk: random([1, N, d], 9),
      };
      const attend = () => causalLongShortCore(inputs, attrs).context;
      expect(peakPerNd(M, 'auto', attend)).toBeLessThanOrEqual(1.05);
      perNd.push(peakPerNd(M, 'composed', attend));
      for (const t of Object.values(inputs)) t.dispose();
    }
    // Composed: bytes per n·d = a + b·M (the compressed scores are M × N, N ∝ M): the increments double.
    expect(perNd[1]).toBeGreaterThan(perNd[0]);
    expect(perNd[2] - perNd[1]).toBeGreaterThan(1.8 * (perNd[1] - perNd[0]));
  });
});
