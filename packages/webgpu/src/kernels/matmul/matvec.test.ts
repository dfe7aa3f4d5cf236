// The matrix-vector path of matmul (M = 1 or N = 1) against the CPU reference: K around the lane
// counts and the vec4 width, outputs around the 4-output blocks and a workgroup's outputs, both
// variants, transposed, sliced and expanded operands, broadcast batch axes, gradients (themselves
// matvecs and outer products), f16, and folded grids; products are checked to run on the matvec kernel.
import { cast, expand, fromArray, matmul, narrow, slice, tidy, transpose, type AttrsOf } from '@longshort/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebGPUBackend, type WebGPUBackend } from '../../backend.js';
import { defineWebGPUKernel } from '../../kernel.js';
import { backendForTests, compareGradientsWithReference, compareWithReference, type InputSpec } from '../../test-support.js';
import { matmulKernel } from './matmul.js';

const backend = await backendForTests();

/** The programs (label|key) that `backend`'s matmul kernel dispatches, recorded into `log`. */
function recordMatmulPrograms(target: WebGPUBackend, log: string[]): void {
  target.registerKernel(defineWebGPUKernel<AttrsOf<'matmul'>>('matmul', {
    strided: true,
    run: (context, inputs, outputs, attrs) => matmulKernel.run({
      ...context,
      dispatch: (program, ...rest) => {
        log.push(`${program.label}|${program.key}`);
        context.dispatch(program, ...rest);
      },
    }, inputs, outputs, attrs),
  }));
}

describe.skipIf(!backend)('matmul with M = 1 or N = 1 (matvec kernel) on WebGPU', () => {
  const gpu = backend!;
  const programs: string[] = [];
  recordMatmulPrograms(gpu, programs);
  afterAll(() => gpu.dispose());
  const tolerance = { atol: 1e-3, rtol: 1e-4 };

  /** Compares `fn` with the reference and returns the matmul programs it dispatched. */
  async function compare(fn: Parameters<typeof compareWithReference>[1], specs: readonly InputSpec[], target: WebGPUBackend = gpu): Promise<string[]> {
    const start = programs.length;
    await compareWithReference(target, fn, specs, tolerance);
    return programs.slice(start);
  }

  const ks = [1, 3, 4, 257, 1030];
  const lengths = [1, 5, 64, 513];

  it.each(ks.flatMap((k) => lengths.map((n) => [k, n])))('(1×%i)·(…×%i) runs one matvec dispatch', async (k, n) => {
    const ran = await compare((a, b) => matmul(a, b), [{ shape: [1, k] }, { shape: [k, n] }]);
    expect(ran.map((p) => p.split('|')[0])).toEqual(['matvec']);
    // b is contiguous along N: vec4 loads and stores exactly where N is a multiple of 4.
    expect(ran[0].endsWith(n % 4 === 0 ? 'vec4' : 'scalar')).toBe(true);
  });

  it.each(ks.flatMap((k) => lengths.slice(1).map((m) => [m, k])))('(%i×%i)·(…×1) runs one matvec dispatch', async (m, k) => {
    const ran = await compare((a, b) => matmul(a, b), [{ shape: [m, k] }, { shape: [k, 1] }]);
    expect(ran).toEqual(['matvec|f32,f32>f32|scalar']);
  });

  it.each([[false, false], [true, false], [false, true], [true, true]])('transposeA=%s transposeB=%s, M = 1 and N = 1', async (transposeA, transposeB) => {
    for (const [m, k, n] of [[1, 257, 64], [1, 6, 7], [64, 257, 1], [7, 6, 1]]) {
      const ran = await compare((a, b) => matmul(a, b, { transposeA, transposeB }),
        [{ shape: transposeA ? [2, k, m] : [2, m, k] }, { shape: transposeB ? [2, n, k] : [2, k, n] }]);
      expect(ran.map((p) => p.split('|')[0])).toEqual(['matvec']);
    }
    // a transposed (M, K) view that is contiguous along M: vec4 loads for N = 1.
    const ran = await compare((a, b) => matmul(a, b, { transposeA: true }), [{ shape: [9, 16] }, { shape: [9, 1] }]);
    expect(ran).toEqual(['matvec|f32,f32>f32|vec4']);
  });

  it('broadcasts batch axes, and takes 1-D operands', async () => {
    for (const specs of [
      [[2, 3, 1, 7], [7, 9]], [[1, 33], [3, 33, 8]], [[2, 1, 1, 5], [1, 3, 5, 6]],
      [[3, 5, 33], [33, 1]], [[5, 4], [2, 3, 4, 1]], [[2, 1, 6, 4], [1, 3, 4, 1]],
      [[7], [3, 7, 2]], [[2, 5, 7], [7]], [[9], [9]],
    ]) {
      const ran = await compare((a, b) => matmul(a, b), specs.map((shape) => ({ shape })));
      expect(ran.map((p) => p.split('|')[0])).toEqual(['matvec']);
    }
  });

  it('reads sliced, narrowed and expanded operands at offsets without copies', async () => {
    const before = gpu.stats().dispatches;
    // a's row 2 from column 1 on (an offset view); b a transposed slice.
    const ran = await compare((a, b) => matmul(narrow(slice(a, [0, 1]), 0, 2, 1), transpose(slice(b, [1, 1]))),
      [{ shape: [4, 34] }, { shape: [13, 34] }]);
    expect(ran.map((p) => p.split('|')[0])).toEqual(['matvec']);
    expect(gpu.stats().dispatches - before).toBe(1);
    // (2, 3, 1, 5)·(5, 1) from offset and expanded views; an offset by 4 keeps b's vec4 loads.
    await compare((a, b) => matmul(expand(narrow(a, 0, 1, 1), [2, 3, 1, 5]), narrow(b, 0, 1, 5)), [{ shape: [3, 5] }, { shape: [7, 1] }]);
    const aligned = await compare((a, b) => matmul(a, narrow(b, 0, 1, 3)), [{ shape: [1, 3] }, { shape: [4, 8] }]);
    expect(aligned).toEqual(['matvec|f32,f32>f32|vec4']);
  });

  it('gives zeros for K = 0 and nothing for empty outputs', async () => {
    const { gpu: values } = await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [1, 0] }, { shape: [0, 6] }]);
    expect(Array.from(values)).toEqual(new Array(6).fill(0));
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [5, 0] }, { shape: [0, 1] }]);
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [1, 3] }, { shape: [3, 0] }]);
    await compareWithReference(gpu, (a, b) => matmul(a, b), [{ shape: [0, 1, 3] }, { shape: [3, 4] }]);
  });

  it('is deterministic: the same inputs give bit-identical outputs', async () => {
    const a = fromArray(Array.from({ length: 1030 }, (_, i) => Math.sin(i)), [1, 1030], 'f32', gpu);
    const b = fromArray(Array.from({ length: 1030 * 5 }, (_, i) => Math.cos(i)), [1030, 5], 'f32', gpu);
    const [first, second] = [tidy(() => matmul(a, b)), tidy(() => matmul(a, b))];
    expect(Array.from(await first.data())).toEqual(Array.from(await second.data()));
    for (const t of [a, b, first, second]) t.dispose();
  });

  it.each([
    [[1, 257], [257, 64], false, false], [[1, 3], [5, 3], false, true], [[64, 257], [257, 1], false, false],
    [[1030, 5], [1030, 1], true, false], [[2, 1, 9], [3, 1, 9, 5], false, false], [[3, 7, 9], [9, 1], false, false],
  ] as const)('gradients of %j·%j (transposeA=%s, transposeB=%s)', async (aShape, bShape, transposeA, transposeB) => {
    await compareGradientsWithReference(gpu, (a, b) => matmul(a, b, { transposeA, transposeB }), [{ shape: aShape }, { shape: bShape }],
      { atol: 1e-3, rtol: 1e-4 });
  });

  it('folds grids beyond the workgroups per dimension', async () => {
    const small = await createWebGPUBackend({ flags: { maxWorkgroupsPerDimension: 4 } });
    const log: string[] = [];
    recordMatmulPrograms(small, log);
    try {
      // 3 workgroups per item × 5 items, and 9 × 2 (the column layout with 16 lanes).
      await compareWithReference(small, (a, b) => matmul(a, b), [{ shape: [5, 1, 3] }, { shape: [5, 3, 513] }], tolerance);
      await compareWithReference(small, (a, b) => matmul(a, b), [{ shape: [2, 1, 1030] }, { shape: [1030, 513] }], tolerance);
      await compareWithReference(small, (a, b) => matmul(a, b), [{ shape: [3, 513, 257] }, { shape: [257, 1] }], tolerance);
      await compareGradientsWithReference(small, (a, b) => matmul(a, b), [{ shape: [6, 1, 40] }, { shape: [40, 100] }], tolerance);
      expect(log.filter((p) => p.startsWith('matvec')).length).toBeGreaterThanOrEqual(4);
    } finally {
      small.dispose();
    }
  });

  it('f16 operands compute in f32 (needs shader-f16)', async (context) => {
    if (!gpu.capabilities.dtypes.includes('f16')) {
      console.info("skipped: this adapter lacks 'shader-f16' (SwiftShader has none); the f16 matvec runs only where the feature exists");
      context.skip();
    }
    const ran = await compare((a, b) => cast(matmul(cast(a, 'f16'), cast(b, 'f16')), 'f32'), [{ shape: [1, 64], values: Array.from({ length: 64 }, (_, i) => (i % 7) / 4) }, { shape: [64, 12], values: Array.from({ length: 768 }, (_, i) => (i % 5) / 8) }]);
    expect(ran).toEqual(['matvec|f16,f16>f16|scalar']);
  });
});
