import { add, createCpuBackend, fromArray, mul, sum, tidy, type CpuBackend } from '@longshort/tensor';
import { randomGenerator, randomValues, relativeError } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { causalLongShortCore, type CausalCoreAttrs, type CausalCoreInputs } from './causal-core.js';
import { registerFusedAttentionKernels } from './register.js';

// The JS kernels (reference backend: float64 accumulation) against the wasm kernels on 1 and 2 threads.
const reference = createCpuBackend({ name: 'cpu-causal-reference', kernels: 'reference' });
const wasm1 = createCpuBackend({ name: 'cpu-causal-wasm-1', threads: 1 });
const wasm2 = createCpuBackend({ name: 'cpu-causal-wasm-2', threads: 2 });
for (const backend of [reference, wasm1, wasm2]) registerFusedAttentionKernels(backend);
afterAll(() => {
  for (const backend of [reference, wasm1, wasm2]) backend.dispose();
});

interface Case {
  B: number;
  H: number;
  M: number;
  W: number;
  d: number;
  attrs: CausalCoreAttrs;
  seed: number;
}

const names = ['q', 'u', 'v', 'kWin', 'vWin', 'rWin', 'kBar', 'vBar', 'rChunk'] as const;

/** context, lse and the nine input gradients of sum(context · a) + sum(lse · b), f32. */
function run(backend: CpuBackend, c: Case): Float32Array[] {
  const { B, H, M, W, d, attrs: { chunkSize: l, chunkRank: r, memoryChunks } } = c;
  const N = (memoryChunks + M / l) * r;
  const shapes = [[B, H, M, d], [H, d], [H, d], [B, H, W + M, d], [B, H, W + M, d], [H, W, d], [B, H, N, d], [B, H, N, d], [H, N, d]];
  const g = randomGenerator(c.seed);
  const values = shapes.map((s) => randomValues(g, s.reduce((a, b) => a * b, 1), { low: -1.5, high: 1.5 }));
  const seedContext = randomValues(g, B * H * M * d);
  const seedLse = randomValues(g, B * H * M);
  return tidy(() => {
    const tensors = values.map((v, i) => fromArray(v, shapes[i], 'f32', backend).requireGrad());
    const inputs = Object.fromEntries(names.map((name, i) => [name, tensors[i]])) as unknown as CausalCoreInputs;
    const { context, lse } = causalLongShortCore(inputs, c.attrs);
    add(sum(mul(context, fromArray(seedContext, context.shape, 'f32', backend))), sum(mul(lse, fromArray(seedLse, lse.shape, 'f32', backend)))).backward();
    const grads = tensors.map((t) => Float32Array.from(t.grad!.dataSync()));
    for (const t of tensors) t.grad!.dispose();
    return [Float32Array.from(context.dataSync()), Float32Array.from(lse.dataSync()), ...grads];
  });
}

const outputNames = ['context', 'lse', ...names.map((name) => `d${name}`)];

/** Random configurations: chunk size, rank 1–3, memory chunks, window (M ≤ W or a multiple of it), odd d. */
function randomCases(count: number): Case[] {
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
  const cases: [string, Case][] = [
    ['lm shape (ℓ = 16, r = 1, C_mem = 8, W = 32, d = 32), B = 2', { B: 2, H: 2, M: 128, W: 32, d: 32, attrs: { chunkSize: 16, chunkRank: 1, memoryChunks: 8 }, seed: 1 }],
    ['no memory, r = 3, M < W', { B: 1, H: 2, M: 6, W: 10, d: 3, attrs: { chunkSize: 2, chunkRank: 3, memoryChunks: 0 }, seed: 2 }],
    ['ℓ = 1, r = 2, M > W, d = 1', { B: 2, H: 1, M: 8, W: 2, d: 1, attrs: { chunkSize: 1, chunkRank: 2, memoryChunks: 2 }, seed: 3 }],
    ['N + W over 64 keys, d = 64', { B: 1, H: 1, M: 8, W: 64, d: 64, attrs: { chunkSize: 4, chunkRank: 2, memoryChunks: 16 }, seed: 4 }],
    ...randomCases(16).map((c, i): [string, Case] => [`random #${i}: ${JSON.stringify(c)}`, c]),
  ];
  for (const [name, c] of cases) {
    it(`${name}: forward and all nine gradients within 1e-5; 1 and 2 threads identical`, () => {
      const ref = run(reference, c);
      const one = run(wasm1, c);
      const two = run(wasm2, c);
      const again = run(wasm2, c);
      ref.forEach((r, i) => {
        expect(relativeError(one[i], r), outputNames[i]).toBeLessThan(1e-5);
        expect(two[i], `${outputNames[i]}: 2 threads`).toEqual(one[i]);
        expect(again[i], `${outputNames[i]}: rerun`).toEqual(two[i]);
      });
    });
  }
});
