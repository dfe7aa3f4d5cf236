import type { CpuBackend } from '@longshort/tensor';
import { randomGenerator } from '@longshort/tensor/testing';
import { describe, it } from 'vitest';
import { causalData, causalLoss, causalOutputNames, type CausalCase } from './causal-test-support.js';
import { expectWasmMatches, runLoss, wasmBackends } from './core-test-support.js';

// The JS kernels (reference backend: float64 accumulation) against the wasm kernels on 1 and 2 threads.
const backends = wasmBackends('cpu-causal');

/** context, lse and the nine input gradients of sum(context · a) + sum(lse · b), f32. */
function run(backend: CpuBackend, c: CausalCase): Promise<Float32Array[]> {
  const data = causalData(c);
  return runLoss(backend, data, (inputs) => causalLoss(inputs, data, c.attrs));
}

/** Random configurations: chunk size, rank 1–3, memory chunks, window (M ≤ W or a multiple of it), odd d. */
function randomCases(count: number): CausalCase[] {
  const g = randomGenerator(77);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(g.uniform() * xs.length)];
  return Array.from({ length: count }, (_, seed) => {
    const l = pick([1, 2, 3, 4, 5]);
    const M = l * pick([1, 2, 3, 4]);
    const W = pick([M, M + 1, M + 3, 2 * M, ...[1, 2, 3].filter((x) => M % x === 0)]);
    return { B: pick([1, 2]), H: pick([1, 2, 3]), M, W, d: pick([1, 3, 5, 8, 32]), attrs: { chunkSize: l, chunkRank: pick([1, 2, 3]), memoryChunks: pick([0, 1, 3]) }, seed };
  });
}

describe('causalLongShortCore wasm kernels equal the JS kernels', () => {
  const cases: [string, CausalCase][] = [
    ['lm shape (ℓ = 16, r = 1, C_mem = 8, W = 32, d = 32), B = 2', { B: 2, H: 2, M: 128, W: 32, d: 32, attrs: { chunkSize: 16, chunkRank: 1, memoryChunks: 8 }, seed: 1 }],
    ['no memory, r = 3, M < W', { B: 1, H: 2, M: 6, W: 10, d: 3, attrs: { chunkSize: 2, chunkRank: 3, memoryChunks: 0 }, seed: 2 }],
    ['ℓ = 1, r = 2, M > W, d = 1', { B: 2, H: 1, M: 8, W: 2, d: 1, attrs: { chunkSize: 1, chunkRank: 2, memoryChunks: 2 }, seed: 3 }],
    ['N + W over 64 keys, d = 64', { B: 1, H: 1, M: 8, W: 64, d: 64, attrs: { chunkSize: 4, chunkRank: 2, memoryChunks: 16 }, seed: 4 }],
    ...randomCases(16).map((c, i): [string, CausalCase] => [`random #${i}: ${JSON.stringify(c)}`, c]),
  ];
  for (const [name, c] of cases) {
    it(`${name}: forward and all nine gradients within 1e-5; 1 and 2 threads identical`, async () => {
      await expectWasmMatches(backends, (backend) => run(backend, c), causalOutputNames, 1e-5);
    });
  }
});
