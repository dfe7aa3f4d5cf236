// The fast CPU backend in a real browser (headless Chromium, served cross-origin isolated): made
// the browser way (`createCpuBackendAsync`: async compile, Web Workers over a shared memory), on one
// and two threads, checked against the reference backend and a float64 matmul written here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, createCpuBackendAsync, fromArray, matmul, type CpuBackend } from '../../index.js';
import { expectClose, randomGenerator, randomValues, runConformance } from '../../testing/index.js';
import type { CpuData } from '../cpu/cpu-kernel.js';
import { poolTestModule } from './pool-test-support.js';

/** (batch, m, k) @ (batch, k, n) in float64, plain loops. */
function matmul64(a: ArrayLike<number>, b: ArrayLike<number>, batch: number, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let t = 0; t < k; t++) acc += a[(p * m + i) * k + t] * b[(p * k + t) * n + j];
        out[(p * m + i) * n + j] = acc;
      }
    }
  }
  return out;
}

it('runs in a cross-origin isolated page, where SharedArrayBuffer exists', () => {
  expect(globalThis.crossOriginIsolated).toBe(true);
  expect(typeof SharedArrayBuffer).toBe('function');
});

describe.each([1, 2])('the wasm CPU backend on %i thread(s) in Chromium', (threads) => {
  let backend: CpuBackend;
  beforeAll(async () => {
    backend = await createCpuBackendAsync({ name: `browser-${threads}`, threads });
  });
  afterAll(() => backend.dispose());

  it('is made with WebAssembly SIMD kernels on a shared memory and the threads asked for', () => {
    expect(backend.capabilities.info).toEqual({ kind: 'wasm-simd', threads, sharedMemory: true });
    expect(backend.wasm!.threads).toBe(threads);
  });

  it('passes the shared conformance suite against the reference backend', async () => {
    const results = await runConformance(backend, { draws: 1, seed: threads });
    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`)).toEqual([]);
  });

  it.each([
    { shape: [3, 96, 80, 112], what: 'batched products split by batch' },
    { shape: [1, 300, 150, 170], what: 'one large product split by row blocks' },
    { shape: [2, 5, 0, 7], what: 'an empty inner dimension' },
  ])('multiplies matrices like a float64 reference: $what', async ({ shape: [batch, m, k, n] }) => {
    const g = randomGenerator(m * n + k);
    const a = randomValues(g, batch * m * k);
    const b = randomValues(g, batch * k * n);
    const c = matmul(fromArray(a, [batch, m, k], 'f32', backend), fromArray(b, [batch, k, n], 'f32', backend));
    expectClose(await c.data(), matmul64(a, b, batch, m, k, n), { atol: 1e-4, rtol: 1e-4 });
  });
});

describe('the pool’s Web Workers', () => {
  let backend: CpuBackend;
  beforeAll(async () => {
    backend = await createCpuBackendAsync({ name: 'browser-pool', threads: 2 });
  });
  afterAll(() => backend.dispose());

  /** Runs `handshake` over 10 items (it needs the page's thread and a worker); the thread of each. */
  function handshake(mod: ReturnType<NonNullable<CpuBackend['wasm']>['load']>, data: CpuData, trap = 0): number[] {
    const wasm = backend.wasm!;
    const base = wasm.pointerOf(data)!;
    data.array.fill(0);
    wasm.parallelFor(mod, 'handshake', 10, [base, base + 40, trap]);
    return Array.from(data.array.subarray(0, 10));
  }

  it('take part in tasks, report a trap as a BackendError with its message, and keep working', () => {
    const wasm = backend.wasm!;
    const mod = wasm.load(poolTestModule(wasm));
    const data = backend.alloc('i32', 12) as CpuData;
    // Loaded after the workers started: until a worker has taken the module, tasks run on the page's
    // thread (whether one already has is a race), and every task runs either way.
    const early = handshake(mod, data);
    expect(early).toHaveLength(10);
    expect(early.every((t) => t === 1 || t === 2)).toBe(true);
    return wasm.ready().then(() => {
      const threads = handshake(mod, data);
      expect(threads.every((t) => t === 1 || t === 2)).toBe(true);
      expect(new Set(threads)).toEqual(new Set([1, 2]));
      expect(() => handshake(mod, data, 1)).toThrow(BackendError);
      expect(() => handshake(mod, data, 1)).toThrow(/unreachable/);
      expect(() => handshake(mod, data, 2)).toThrow(WebAssembly.RuntimeError);
      expect(new Set(handshake(mod, data))).toEqual(new Set([1, 2]));
      backend.free(data);
    });
  });
});
