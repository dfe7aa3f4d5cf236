// The ./webgpu entry: one WebGPU kernel per fused attention op (forward and backward of both
// cores, spec A.3 and B.5), registered only by an explicit call (docs/adr/0004).
import { createWebGPUBackend } from '@longshort/webgpu';
import { expect, it } from 'vitest';
import { fusedAttentionOps } from '../fused/register.js';
import { fusedAttentionWebGPUKernels, registerFusedAttentionKernelsWebGPU } from './index.js';

it('has a kernel for every fused op, and registers them on a backend only when asked', async () => {
  expect(fusedAttentionWebGPUKernels.map((kernel) => kernel.op).sort()).toEqual(Object.values(fusedAttentionOps).sort());
  const backend = await createWebGPUBackend();
  try {
    for (const op of Object.values(fusedAttentionOps)) expect(backend.hasKernel(op), op).toBe(false);
    registerFusedAttentionKernelsWebGPU(backend);
    for (const op of Object.values(fusedAttentionOps)) expect(backend.hasKernel(op), op).toBe(true);
  } finally {
    backend.dispose();
  }
});
