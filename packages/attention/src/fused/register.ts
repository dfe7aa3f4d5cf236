// Explicit registration of the fused attention kernels on a CPU backend (docs/adr/0004): nothing
// registers itself on import; without this call the ops run their composed decompositions.
// Other backends (WebGPU) register their own kernels under the same op names.
import type { CpuBackend } from '@longshort/tensor';
import { causalLongShortAttentionBackwardOp, causalLongShortAttentionOp } from './causal-core.js';
import { causalLongShortAttentionBackwardCpu, causalLongShortAttentionCpu } from './causal-core.cpu.js';
import { causalLongShortAttentionBackwardWasm, causalLongShortAttentionWasm } from './causal-core.wasm.js';
import { longShortAttentionBackwardOp, longShortAttentionOp } from './long-short-core.js';
import { longShortAttentionBackwardCpu, longShortAttentionCpu } from './long-short-core.cpu.js';
import { longShortAttentionBackwardWasm, longShortAttentionWasm } from './long-short-core.wasm.js';

/**
 * The fused attention ops' names: a backend provides a kernel for each forward op and its backward.
 * @example webgpuKernels[fusedAttentionOps.longShortAttention] = longShortAttentionWgsl;
 */
export const fusedAttentionOps = {
  longShortAttention: longShortAttentionOp.name,
  longShortAttentionBackward: longShortAttentionBackwardOp.name,
  causalLongShortAttention: causalLongShortAttentionOp.name,
  causalLongShortAttentionBackward: causalLongShortAttentionBackwardOp.name,
} as const;

/**
 * Registers the fused long-short attention kernels (bidirectional and causal, forward and backward) on a CPU backend:
 * the WebAssembly SIMD kernels where the backend has a wasm runtime (they hand f64 and host tensors to the JS
 * kernels), else the JS kernels.
 * @example const backend = createCpuBackend(); registerFusedAttentionKernels(backend); setBackend(backend);
 */
export function registerFusedAttentionKernels(backend: CpuBackend): void {
  const { wasm } = backend;
  backend.registerKernel(longShortAttentionOp.name, wasm ? longShortAttentionWasm(wasm) : longShortAttentionCpu);
  backend.registerKernel(longShortAttentionBackwardOp.name, wasm ? longShortAttentionBackwardWasm(wasm) : longShortAttentionBackwardCpu);
  backend.registerKernel(causalLongShortAttentionOp.name, wasm ? causalLongShortAttentionWasm(wasm) : causalLongShortAttentionCpu);
  backend.registerKernel(causalLongShortAttentionBackwardOp.name, wasm ? causalLongShortAttentionBackwardWasm(wasm) : causalLongShortAttentionBackwardCpu);
}
