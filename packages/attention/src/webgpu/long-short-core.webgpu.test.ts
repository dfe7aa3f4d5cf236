// The WebGPU kernels of the bidirectional long-short core (spec A.3 steps 5–9) against the CPU
// kernels (registerFusedAttentionKernels on a reference CPU backend): context, lse and every input
// gradient within 1e-4 relative, on Dawn with SwiftShader; a missing adapter fails these tests.
import { CapabilityError, applyOp, createCpuBackend, fromArray, slice, type Backend, type Tensor } from '@longshort/tensor';
import { randomGenerator, randomValues } from '@longshort/tensor/testing';
import { createWebGPUBackend } from '@longshort/webgpu';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { expectOutputsClose, runLoss } from '../fused/core-test-support.js';
import { longShortAttentionBackwardOp } from '../fused/long-short-core.js';
import { coreData, coreLoss, coreOutputNames, type CoreCase } from '../fused/long-short-test-support.js';
import { registerFusedAttentionKernels } from '../fused/register.js';
import { fusedAttentionWebGPUKernels } from './index.js';

const cpu = createCpuBackend({ name: 'cpu-fused-reference', kernels: 'reference' });
registerFusedAttentionKernels(cpu);
// NOTE: at most 16 workgroups per grid dimension, so that the larger cases run on folded grids
// (with excess workgroups) as inputs beyond 65,535 workgroups would.
const gpu = await createWebGPUBackend({ kernels: [fusedAttentionWebGPUKernels], flags: { maxWorkgroupsPerDimension: 16 } });
afterAll(() => gpu.dispose());

/**
 * context, lse, then the gradients of q, k, v, kBar, vBar of sum(context · a) + sum(lse · b)
 * (of the whole stored tensors when the inputs are offset views). With `c.offset`, every input is a
 * view that starts one batch row into its storage; the reference is then the composed path: the CPU
 * JS kernels read their inputs from element 0 of the storage, ignoring a view's offset.
 */
function runCore(backend: Backend, c: CoreCase): Promise<Float32Array[]> {
  const lead = c.offset ? 1 : 0;
  const data = coreData(c, lead);
  // The rows lead… of the leading axis: (c.B, …), a view at a nonzero offset.
  const view = (t: Tensor) => (lead > 0 ? slice(t, t.shape.map((_, axis) => (axis === 0 ? lead : 0))) : t);
  const impl = c.offset && backend === cpu ? 'composed' : 'auto';
  return runLoss(backend, data, (inputs) => coreLoss(inputs.map(view), view(fromArray(data.valid, [c.B + lead, c.n], 'bool', backend)), data, impl));
}

const cases: [string, CoreCase][] = [
  ['odd w = 3, r\' = 1, padding', { B: 2, H: 2, n: 12, d: 4, rp: 1, w: 3, padding: 0.3, seed: 1 }],
  ['w = 1, r\' = 3', { B: 1, H: 2, n: 5, d: 4, rp: 3, w: 1, padding: 0, seed: 2 }],
  ['w = 5, r\' = 3, n = 140 (three query blocks, a folded grid), padding', { B: 1, H: 7, n: 140, d: 8, rp: 3, w: 5, padding: 0.2, seed: 3 }],
  ['even w = 4, window only, one segment', { B: 1, H: 2, n: 4, d: 4, rp: 0, w: 4, padding: 0.25, seed: 4 }],
  ['window only, heavy padding (all-padding windows)', { B: 2, H: 1, n: 16, d: 4, rp: 0, w: 2, padding: 0.7, seed: 5 }],
  ['landmarks only, r\' = 3', { B: 2, H: 2, n: 6, d: 4, rp: 3, w: 0, padding: 0.3, seed: 6 }],
  ['diagonal with r\' = 1', { B: 1, H: 2, n: 70, d: 5, rp: 1, w: 0, diagonal: true, padding: 0.3, seed: 7 }],
  ['diagonal, r\' = 0', { B: 2, H: 1, n: 5, d: 3, rp: 0, w: 0, diagonal: true, padding: 0.3, seed: 8 }],
  ['more keys than a tile, n = 300 (two landmark chunks), d = 16', { B: 1, H: 1, n: 300, d: 16, rp: 3, w: 15, padding: 0.1, seed: 9 }],
  ['w = 7 spanning query blocks, r\' = 0, padding', { B: 2, H: 1, n: 77, d: 6, rp: 0, w: 7, padding: 0.2, seed: 10 }],
  ['r\' = 70 (three landmark tiles, two landmark groups)', { B: 1, H: 1, n: 10, d: 4, rp: 70, w: 5, padding: 0.2, seed: 13 }],
  ['inputs that start at an offset in their storage', { B: 1, H: 2, n: 9, d: 4, rp: 1, w: 3, padding: 0.2, seed: 12, offset: true }],
];

describe('longShortAttention on WebGPU equals the CPU kernels', () => {
  for (const [name, c] of cases) {
    it(`${name}: context, lse and all input gradients within 1e-4, nothing on the CPU`, async () => {
      const ran = vi.spyOn(gpu, 'run');
      const expected = await runCore(cpu, c);
      const got = await runCore(gpu, c);
      expectOutputsClose(got, expected, coreOutputNames, 1e-4);
      const forward = ran.mock.calls.find(([op]) => op === 'longShortAttention');
      const ops = ran.mock.calls.map(([op]) => op);
      ran.mockRestore();
      if (c.offset) expect(forward?.[1].map((input) => input.offset > 0)).toEqual([true, true, true, true, true, true]);
      expect(ops).toContain('longShortAttention');
      expect(ops).toContain('longShortAttentionBackward');
      expect(gpu.stats().fallbacks).toEqual({});
    });
  }

  it('an empty batch returns empty outputs, nothing on the CPU', async () => {
    const got = await runCore(gpu, { B: 0, H: 2, n: 4, d: 4, rp: 1, w: 2, padding: 0, seed: 11 });
    expect(got.map((values) => values.length)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(gpu.stats().fallbacks).toEqual({});
  });

  it('a backward whose last pass exceeds the grid limit fails before its first dispatch', async () => {
    // At most 2 × 2 workgroups: every pass fits but the landmark reduction (70 · 4 elements, 5 workgroups).
    const small = await createWebGPUBackend({ kernels: [fusedAttentionWebGPUKernels], flags: { maxWorkgroupsPerDimension: 2 } });
    try {
      const [B, H, n, d, rp] = [1, 1, 200, 4, 70];
      const g = randomGenerator(14);
      const make = (shape: number[]) => fromArray(randomValues(g, shape.reduce((a, b) => a * b, 1)), shape, 'f32', small);
      const inputs = [make([B, H, n, d]), make([B, H, n, d]), make([B, H, n, d]), make([B, H, rp, d]), make([B, H, rp, d]),
        fromArray(new Array(B * n).fill(1), [B, n], 'bool', small), make([B, H, n, d]), make([B, H, n]), make([B, H, n, d]), make([B, H, n])];
      const before = small.stats().dispatches;
      let error: unknown = null;
      try {
        applyOp(longShortAttentionBackwardOp, inputs, { window: 5, diagonal: false });
      } catch (caught) {
        error = caught;
      }
      expect(CapabilityError.isInstance(error) && error.code).toBe('LIMIT_TOO_LOW');
      expect(small.stats().dispatches).toBe(before);
      for (const t of inputs) t.dispose();
    } finally {
      small.dispose();
    }
  });
});
