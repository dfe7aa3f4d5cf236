// The WebGPU kernels of the causal long-short core (spec B.5 steps 5–6) against the CPU kernels
// (registerFusedAttentionKernels on a reference CPU backend): context, lse and the gradients of all
// nine inputs within 1e-4 relative, on Dawn with SwiftShader; a missing adapter fails these tests.
import { createCpuBackend, slice, type Backend, type Tensor } from '@longshort/tensor';
import { createWebGPUBackend } from '@longshort/webgpu';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { causalData, causalLoss, causalOutputNames, type CausalCase } from '../fused/causal-test-support.js';
import { expectOutputsClose, runLoss } from '../fused/core-test-support.js';
import { registerFusedAttentionKernels } from '../fused/register.js';
import { fusedAttentionWebGPUKernels } from './index.js';

const cpu = createCpuBackend({ name: 'cpu-fused-reference', kernels: 'reference' });
registerFusedAttentionKernels(cpu);
// NOTE: at most 8 workgroups per grid dimension, so that the larger cases run on folded grids.
const gpu = await createWebGPUBackend({ kernels: [fusedAttentionWebGPUKernels], flags: { maxWorkgroupsPerDimension: 8 } });
afterAll(() => gpu.dispose());

/**
 * context, lse, then the gradients of the nine inputs of sum(context · a) + sum(lse · b) (of the
 * whole stored tensors when the inputs are offset views). With `c.offset`, the batched inputs are
 * views that start one batch row into their storage; the reference is then the composed path: the
 * CPU JS kernels read their inputs from element 0 of the storage, ignoring a view's offset.
 */
function runCore(backend: Backend, c: CausalCase): Promise<Float32Array[]> {
  const data = causalData(c);
  // Batched inputs (4-D) as their rows 1… of the leading axis: (c.B, …), views at a nonzero offset.
  const view = (t: Tensor) => (c.offset && t.rank === 4 ? slice(t, [1, 0, 0, 0]) : t);
  const impl = c.offset && backend === cpu ? 'composed' : 'auto';
  return runLoss(backend, data, (inputs) => causalLoss(inputs.map(view), data, c.attrs, impl));
}

const cases: [string, CausalCase][] = [
  ['M < W, r = 1', { B: 2, H: 2, M: 4, W: 6, d: 4, attrs: { chunkSize: 2, chunkRank: 1, memoryChunks: 3 }, seed: 1 }],
  ['M = W, r = 2, no memory chunks', { B: 1, H: 2, M: 4, W: 4, d: 4, attrs: { chunkSize: 2, chunkRank: 2, memoryChunks: 0 }, seed: 2 }],
  ['M > W, odd sizes, r = 2', { B: 2, H: 1, M: 6, W: 3, d: 3, attrs: { chunkSize: 3, chunkRank: 2, memoryChunks: 1 }, seed: 3 }],
  ['M = 70 queries (two workgroups, a folded grid), ℓ = 7', { B: 1, H: 5, M: 70, W: 35, d: 5, attrs: { chunkSize: 7, chunkRank: 1, memoryChunks: 2 }, seed: 4 }],
  ['N + W > 64 keys, d = 16', { B: 1, H: 1, M: 8, W: 64, d: 16, attrs: { chunkSize: 4, chunkRank: 2, memoryChunks: 16 }, seed: 5 }],
  ['inputs that start at an offset in their storage', { B: 1, H: 2, M: 4, W: 2, d: 3, attrs: { chunkSize: 2, chunkRank: 1, memoryChunks: 1 }, seed: 6, offset: true }],
];

describe('causalLongShortAttention on WebGPU equals the CPU kernels', () => {
  for (const [name, c] of cases) {
    it(`${name}: context, lse and the gradients of all nine inputs within 1e-4, nothing on the CPU`, async () => {
      const ran = vi.spyOn(gpu, 'run');
      const expected = await runCore(cpu, c);
      const got = await runCore(gpu, c);
      expectOutputsClose(got, expected, causalOutputNames, 1e-4);
      const forward = ran.mock.calls.find(([op]) => op === 'causalLongShortAttention');
      const ops = ran.mock.calls.map(([op]) => op);
      ran.mockRestore();
      if (c.offset) expect(forward?.[1].filter((input) => input.shape.length === 4).every((input) => input.offset > 0)).toBe(true);
      expect(ops).toContain('causalLongShortAttention');
      expect(ops).toContain('causalLongShortAttentionBackward');
      expect(gpu.stats().fallbacks).toEqual({});
    });
  }
});
