import { afterAll, describe, expect, it } from 'vitest';
import type { CpuData } from '../cpu/cpu-kernel.js';
import { createCpuBackend, fromArray, matmul, memory, narrow, type CpuBackend, type MatmulAttrs } from '../../index.js';
import { expectClose, randomGenerator, randomValues, seedFor, tolerances } from '../../testing/index.js';

const fast = createCpuBackend({ name: 'wasm-2', threads: 2 });
const single = createCpuBackend({ name: 'wasm-1', threads: 1 });
afterAll(() => {
  fast.dispose();
  single.dispose();
});

/** Plain float64 batched matmul with broadcast batch dimensions (row-major operands). */
function referenceMatmul(a: Float64Array, aShape: number[], b: Float64Array, bShape: number[], { transposeA, transposeB }: MatmulAttrs) {
  const [m, k] = transposeA ? [aShape.at(-1)!, aShape.at(-2)!] : [aShape.at(-2)!, aShape.at(-1)!];
  const n = transposeB ? bShape.at(-2)! : bShape.at(-1)!;
  const rank = Math.max(aShape.length, bShape.length) - 2;
  const pad = (s: number[]) => [...new Array<number>(rank - (s.length - 2)).fill(1), ...s.slice(0, -2)];
  const [ab, bb] = [pad(aShape), pad(bShape)];
  const batch = ab.map((d, i) => Math.max(d, bb[i]));
  const batches = batch.reduce((x, y) => x * y, 1);
  const out = new Float64Array(batches * m * n);
  for (let t = 0; t < batches; t++) {
    let [ai, bi, rest] = [0, 0, t];
    for (let d = 0; d < rank; d++) {
      const inner = batch.slice(d + 1).reduce((x, y) => x * y, 1);
      const idx = Math.floor(rest / inner);
      rest -= idx * inner;
      ai = ai * ab[d] + (ab[d] === 1 ? 0 : idx);
      bi = bi * bb[d] + (bb[d] === 1 ? 0 : idx);
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const x = a[ai * m * k + (transposeA ? p * m + i : i * k + p)];
          const y = b[bi * k * n + (transposeB ? j * k + p : p * n + j)];
          s += x * y;
        }
        out[(t * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

function product(backend: CpuBackend, aShape: number[], bShape: number[], attrs: Partial<MatmulAttrs>, seed: string) {
  const g = randomGenerator(seedFor(seed, 0));
  const [av, bv] = [randomValues(g, size(aShape)), randomValues(g, size(bShape))];
  const a = fromArray(av, aShape, 'f32', backend);
  const b = fromArray(bv, bShape, 'f32', backend);
  const c = matmul(a, b, attrs);
  const values = c.dataSync();
  for (const t of [a, b, c]) t.dispose();
  // The reference sees the same f32-rounded inputs.
  return { values, av: Float64Array.from(Float32Array.from(av)), bv: Float64Array.from(Float32Array.from(bv)) };
}

// Sizes around the micro-tile (4×8), the K block (256), the M block (128) and the N block (512).
const cases: [number[], number[], Partial<MatmulAttrs>][] = [
  [[1, 1], [1, 1], {}],
  [[1, 7], [7, 1], {}],
  [[3, 5], [5, 7], {}],
  [[5, 1], [1, 6], {}],
  [[13, 17], [17, 19], {}],
  [[4, 8], [8, 8], {}],
  [[37, 300], [300, 29], {}],
  [[131, 20], [20, 530], {}],
  [[300, 37], [29, 300], { transposeA: true, transposeB: true }],
  [[11, 23], [11, 9], { transposeA: true }],
  [[23, 11], [9, 11], { transposeB: true }],
  [[2, 1, 9, 13], [3, 13, 6], {}],
  [[4, 1, 7, 5], [1, 3, 5, 9], {}],
  [[2, 5, 7], [7, 3], { transposeA: false, transposeB: false }],
  [[3, 70, 90], [90, 110], {}],
  [[1, 200, 161], [161, 150], {}],
  [[3, 200], [2000, 200], { transposeB: true }],
  [[2, 3, 97, 89], [3, 97, 83], { transposeA: true }],
  // Large enough for the shared-B split, across K and N blocks.
  [[200, 260], [260, 1030], {}],
  [[300, 200], [40, 300], { transposeA: true, transposeB: true }],
];

describe('wasm matmul', () => {
  it.each(cases)('matches a float64 reference: %j · %j %j', (aShape, bShape, attrs) => {
    const full = { transposeA: attrs.transposeA ?? false, transposeB: attrs.transposeB ?? false };
    const { values, av, bv } = product(fast, aShape, bShape, attrs, `${aShape}|${bShape}`);
    expectClose(values, referenceMatmul(av, aShape, bv, bShape, full), tolerances.reduction);
  });

  it('gives bit-identical results on 1 and 2 threads and on repeated runs', () => {
    for (const [aShape, bShape, attrs] of [[[3, 70, 90], [90, 110], {}], [[1, 200, 161], [161, 150], {}], [[3, 200], [2000, 200], { transposeB: true }], [[300, 200], [40, 300], { transposeA: true, transposeB: true }]] as const) {
      const seed = `det|${aShape}`;
      const two = product(fast, [...aShape], [...bShape], attrs, seed).values;
      expect(product(fast, [...aShape], [...bShape], attrs, seed).values).toEqual(two);
      expect(product(single, [...aShape], [...bShape], attrs, seed).values).toEqual(two);
    }
  });

  it('reads operands that start at an element offset of their storage', () => {
    const g = randomGenerator(7);
    const big = fromArray(randomValues(g, 9 * 21), [9, 21], 'f32', fast);
    const b = fromArray(randomValues(g, 21 * 10), [21, 10], 'f32', fast);
    const rows = narrow(big, 0, 3, 5); // (5, 21) at offset 63
    expect(rows.offset).toBe(63);
    const c = matmul(rows, b);
    const ref = referenceMatmul(Float64Array.from(big.dataSync().subarray(63, 63 + 105)), [5, 21], Float64Array.from(b.dataSync()), [21, 10], { transposeA: false, transposeB: false });
    expectClose(c.dataSync(), ref, tolerances.reduction);
    for (const t of [big, b, rows, c]) t.dispose();
  });

  it('gives zeros for an empty inner dimension and nothing for empty outputs', () => {
    const z = matmul(fromArray([], [3, 0], 'f32', fast), fromArray([], [0, 4], 'f32', fast));
    expect(Array.from(z.dataSync())).toEqual(new Array(12).fill(0));
    expect(matmul(fromArray([], [0, 5], 'f32', fast), fromArray(new Float32Array(10), [5, 2], 'f32', fast)).shape).toEqual([0, 2]);
  });

  it('works on host arrays that do not live in its memory (as the WebGPU CPU fallback passes them)', () => {
    const g = randomGenerator(11);
    const [av, bv] = [Float32Array.from(randomValues(g, 6 * 5)), Float32Array.from(randomValues(g, 5 * 4))];
    const view = (array: Float32Array, shape: number[]) => ({ data: { array } satisfies CpuData, dtype: 'f32' as const, shape, strides: [shape[1], 1], offset: 0 });
    const out = view(new Float32Array(24), [6, 4]);
    fast.run('matmul', [view(av, [6, 5]), view(bv, [5, 4])], [out], { transposeA: false, transposeB: false });
    expectClose(out.data.array, referenceMatmul(Float64Array.from(av), [6, 5], Float64Array.from(bv), [5, 4], { transposeA: false, transposeB: false }), tolerances.reduction);
  });

  it('frees its temporaries and leaves no tensors or heap blocks behind', () => {
    const before = { tensors: memory(fast).liveTensors, heap: fast.memoryInfo().heapLiveBytes };
    for (const [aShape, bShape, attrs] of cases) {
      const a = fromArray(new Float32Array(size(aShape)), aShape, 'f32', fast);
      const b = fromArray(new Float32Array(size(bShape)), bShape, 'f32', fast);
      const c = matmul(a, b, attrs);
      expect(fast.memoryInfo().heapLiveBytes).toBeGreaterThan(before.heap);
      for (const t of [a, b, c]) t.dispose();
    }
    expect(memory(fast).liveTensors).toBe(before.tensors);
    expect(fast.memoryInfo().heapLiveBytes).toBe(before.heap);
  });
});
