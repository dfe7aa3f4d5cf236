import { fromArray, type CpuBackend } from '@longshort/tensor';
import { randomGenerator } from '@longshort/tensor/testing';
import { describe, expect, it } from 'vitest';
import { expectWasmMatches, runLoss, wasmBackends } from './core-test-support.js';
import { coreData, coreLoss, coreOutputNames, type CoreCase } from './long-short-test-support.js';

// The JS kernels (reference backend: float64 accumulation) against the wasm kernels on 1 and 2 threads.
const backends = wasmBackends('cpu-fused');

/** context, lse and the five input gradients of sum(context · a) + sum(lse · b), f32. */
function run(backend: CpuBackend, c: CoreCase): Promise<Float32Array[]> {
  const data = coreData(c);
  return runLoss(backend, data, (inputs) => coreLoss(inputs, fromArray(data.valid, [c.B, c.n], 'bool', backend), data));
}

/** Random configurations: odd windows, r' ∈ {0, 1, 3, 32}, padding, the diagonal mode, d ∈ {1, 3, 8, 64}. */
function randomCases(count: number): CoreCase[] {
  const g = randomGenerator(2024);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(g.uniform() * xs.length)];
  return Array.from({ length: count }, (_, seed) => {
    const mode = pick(['window', 'window', 'window', 'landmarks', 'diagonal'] as const);
    const w = mode === 'window' ? pick([1, 2, 3, 5, 7, 16]) : 0;
    const rp = mode === 'landmarks' ? pick([1, 3, 32]) : pick([0, 1, 3, 32]);
    // n a multiple of w, rarely of 4 (w = 0: not a multiple of the 64-query block either).
    const segments = pick([1, 3, 5, 9]);
    const n = w > 0 ? w * segments : pick([5, 67, 130]);
    return { B: pick([1, 2]), H: pick([1, 2, 3]), n, d: pick([1, 3, 8, 64]), rp, w, diagonal: mode === 'diagonal', padding: pick([0, 0.3, 0.7]), seed };
  });
}

describe('longShortCore wasm kernels equal the JS kernels', () => {
  const cases: [string, CoreCase][] = [
    ['wide-like: w = 16, r\' = 32, d = 64, padding', { B: 1, H: 2, n: 80, d: 64, rp: 32, w: 16, diagonal: false, padding: 0.2, seed: 1 }],
    ['w = 1 (segments overlap two ways), r\' = 3, d = 3', { B: 2, H: 1, n: 7, d: 3, rp: 3, w: 1, diagonal: false, padding: 0.3, seed: 2 }],
    ['odd w = 5, no landmarks, d = 1, heavy padding', { B: 2, H: 2, n: 35, d: 1, rp: 0, w: 5, diagonal: false, padding: 0.7, seed: 3 }],
    ['diagonal mode, r\' = 1, d = 8', { B: 2, H: 2, n: 67, d: 8, rp: 1, w: 0, diagonal: true, padding: 0.3, seed: 4 }],
    ['diagonal mode without landmarks', { B: 1, H: 3, n: 130, d: 3, rp: 0, w: 0, diagonal: true, padding: 0.3, seed: 5 }],
    ['landmarks only, n over two query blocks', { B: 2, H: 1, n: 131, d: 8, rp: 32, w: 0, diagonal: false, padding: 0.3, seed: 6 }],
    ...randomCases(16).map((c, i): [string, CoreCase] => [`random #${i}: ${JSON.stringify(c)}`, c]),
  ];
  for (const [name, c] of cases) {
    it(`${name}: forward and all gradients within 1e-5; 1 and 2 threads identical`, async () => {
      await expectWasmMatches(backends, (backend) => run(backend, c), coreOutputNames, 1e-5);
    });
  }

  it('padded queries give zero rows and lse 0', async () => {
    const c: CoreCase = { B: 1, H: 1, n: 12, d: 4, rp: 2, w: 3, diagonal: false, padding: 0.5, seed: 7 };
    const { valid } = coreData(c);
    const [context, lse] = await run(backends.wasm2, c);
    let padded = 0;
    for (let i = 0; i < 12; i++) {
      if (valid[i]) continue;
      padded++;
      expect(Array.from(context.slice(i * 4, i * 4 + 4))).toEqual([0, 0, 0, 0]);
      expect(lse[i]).toBe(0);
    }
    expect(padded).toBeGreaterThan(0);
  });
});
