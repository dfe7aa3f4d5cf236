// @longshort/attention/webgpu — WebGPU kernels of the fused attention ops (docs/adr/0004: nothing
// registers itself; pass the kernels to createWebGPUBackend or register them on a backend). The
// only part of the package that imports @longshort/webgpu.
import type { WebGPUBackend, WebGPUKernel } from '@longshort/webgpu';
import { causalLongShortAttentionBackwardWebGPU, causalLongShortAttentionWebGPU } from './causal-core.webgpu.js';
import { longShortAttentionBackwardWebGPU, longShortAttentionWebGPU } from './long-short-core.webgpu.js';

/**
 * The fused attention kernels for WebGPU: a forward kernel and its backward for each fused op
 * (see fusedAttentionOps).
 * @example const backend = await createWebGPUBackend({ kernels: [fusedAttentionWebGPUKernels] });
 */
export const fusedAttentionWebGPUKernels: readonly WebGPUKernel<never>[] = [
  longShortAttentionWebGPU,
  longShortAttentionBackwardWebGPU,
  causalLongShortAttentionWebGPU,
  causalLongShortAttentionBackwardWebGPU,
];

/**
 * Registers the fused attention WebGPU kernels on an existing backend (replacing any under the same op names).
 * @example const backend = await createWebGPUBackend(); registerFusedAttentionKernelsWebGPU(backend); setBackend(backend);
 */
export function registerFusedAttentionKernelsWebGPU(backend: WebGPUBackend): void {
  for (const kernel of fusedAttentionWebGPUKernels) backend.registerKernel(kernel);
}

export { causalLongShortAttentionBackwardWebGPU, causalLongShortAttentionWebGPU, longShortAttentionBackwardWebGPU, longShortAttentionWebGPU };
