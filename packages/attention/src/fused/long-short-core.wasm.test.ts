import { add, createCpuBackend, fromArray, mul, sum, tidy, type CpuBackend } from '@longshort/tensor';
import { randomBools, randomGenerator, randomValues, relativeError } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { longShortCore, type LongShortCoreAttrs } from './long-short-core.js';
import { registerFusedAttentionKernels } from './register.js';

// The JS kernels (reference backend: float64 accumulation) against the wasm kernels on 1 and 2 threads.
const reference = createCpuBackend({ name: 'cpu-fused-reference', kernels: 'reference' });
const wasm1 = createCpuBackend({ name: 'cpu-fused-wasm-1', threads: 1 });
const wasm2 = createCpuBackend({ name: 'cpu-fused-wasm-2', threads: 2 });
for (const backend of [reference, wasm1, wasm2]) registerFusedAttentionKernels(backend);
afterAll(() => {
  for (const backend of [reference, wasm1, wasm2]) backend.dispose();
});

interface Case {
  B: number;
  H: number;
  n: number;
  d: number;
  rp: number;
  w: number;
  diagonal: boolean;
  padding: number;
  seed: number;
}

/** context, lse and the five input gradients of sum(context · a) + sum(lse · b), f32. */
function run(backend: CpuBackend, c: Case): Float32Array[] {
  const g = randomGenerator(c.seed);
  const shapes = [[c.B, c.H, c.n, c.d], [c.B, c.H, c.n, c.d], [c.B, c.H, c.n, c.d], [c.B, c.H, c.rp, c.d], [c.B, c.H, c.rp, c.d]];
  const values = shapes.map((s) => randomValues(g, s.reduce((a, b) => a * b, 1), { low: -1.5, high: 1.5 }));
  const valid = randomBools(g, c.B * c.n, 1 - c.padding);
  const seedContext = randomValues(g, c.B * c.H * c.n * c.d);
  const seedLse = randomValues(g, c.B * c.H * c.n);
  const attrs: LongShortCoreAttrs = { window: c.w, diagonal: c.diagonal };
  return tidy(() => {
    const inputs = values.map((v, i) => fromArray(v, shapes[i], 'f32', backend).requireGrad());
    const [q, k, v, kBar, vBar] = inputs;
    const { context, lse } = longShortCore(q, k, v, kBar, vBar, fromArray(valid, [c.B, c.n], 'bool', backend), attrs);
    add(sum(mul(context, fromArray(seedContext, context.shape, 'f32', backend))), sum(mul(lse, fromArray(seedLse, lse.shape, 'f32', backend)))).backward();
    const grads = inputs.map((t) => Float32Array.from(t.grad!.dataSync()));
    for (const t of inputs) t.grad!.dispose();
    return [Float32Array.from(context.dataSync()), Float32Array.from(lse.dataSync()), ...grads];
  });
}

const outputNames = ['context', 'lse', 'dq', 'dk', 'dv', 'dkBar', 'dvBar'];

/** Random configurations: odd windows, r' ∈ {0, 1, 3, 32}, padding, the diagonal mode, d ∈ {1, 3, 8, 64}. */
function randomCases(count: number): Case[] {
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
  const cases: [string, Case][] = [
    ['wide-like: w = 16, r\' = 32, d = 64, padding', { B: 1, H: 2, n: 80, d: 64, rp: 32, w: 16, diagonal: false, padding: 0.2, seed: 1 }],
    ['w = 1 (segments overlap two ways), r\' = 3, d = 3', { B: 2, H: 1, n: 7, d: 3, rp: 3, w: 1, diagonal: false, padding: 0.3, seed: 2 }],
    ['odd w = 5, no landmarks, d = 1, heavy padding', { B: 2, H: 2, n: 35, d: 1, rp: 0, w: 5, diagonal: false, padding: 0.7, seed: 3 }],
    ['diagonal mode, r\' = 1, d = 8', { B: 2, H: 2, n: 67, d: 8, rp: 1, w: 0, diagonal: true, padding: 0.3, seed: 4 }],
    ['diagonal mode without landmarks', { B: 1, H: 3, n: 130, d: 3, rp: 0, w: 0, diagonal: true, padding: 0.3, seed: 5 }],
    ['landmarks only, n over two query blocks', { B: 2, H: 1, n: 131, d: 8, rp: 32, w: 0, diagonal: false, padding: 0.3, seed: 6 }],
    ...randomCases(16).map((c, i): [string, Case] => [`random #${i}: ${JSON.stringify(c)}`, c]),
  ];
  for (const [name, c] of cases) {
    it(`${name}: forward and all gradients within 1e-5; 1 and 2 threads identical`, () => {
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

  it('padded queries give zero rows and lse 0', () => {
    const c: Case = { B: 1, H: 1, n: 12, d: 4, rp: 2, w: 3, diagonal: false, padding: 0.5, seed: 7 };
    const g = randomGenerator(c.seed);
    for (let i = 0; i < 5; i++) randomValues(g, [48, 48, 48, 8, 8][i], { low: -1.5, high: 1.5 });
    const valid = randomBools(g, 12, 0.5);
    const [context, lse] = run(wasm2, c);
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
