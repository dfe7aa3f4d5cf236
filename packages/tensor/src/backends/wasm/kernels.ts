// The fast CPU backend's kernel table: the ops that have WebAssembly (or block-copy) kernels, each falling back to
// the op's reference kernel (cpu/manifest.ts) for dtypes and layouts it does not handle. The fused
// composites softmax, layerNorm and gelu run as one kernel each, with their gradient rules, and
// AdamW's step as one loop.
import { cpuKernels } from '../cpu/manifest.js';
import type { CpuKernel, CpuKernelEntry } from '../cpu/cpu-kernel.js';
import { binaryKernelOps, unaryKernelOps } from './elementwise.js';
import { wasmBinary, wasmLayerNorm, wasmReduce, wasmSoftmax, wasmUnary, wasmWhere, wasmGelu } from './elementwise-kernels.js';
import { adamwUpdateLoop } from './adamw-kernel.js';
import { copyStrided, padRows } from './copy-kernel.js';
import { wasmMatmul } from './matmul-kernel.js';
import type { WasmRuntime } from './runtime.js';

const plain = (kernel: CpuKernel<never>): CpuKernelEntry => ({ kernel: kernel as CpuKernel });
const strided = (kernel: CpuKernel<never>): CpuKernelEntry => ({ kernel: kernel as CpuKernel, strided: true });

/**
 * The WebAssembly kernels over `rt`, keyed by op name.
 * @example for (const [op, entry] of Object.entries(wasmKernels(rt))) kernels.set(op, entry);
 */
export function wasmKernels(rt: WasmRuntime): Record<string, CpuKernelEntry> {
  const table: Record<string, CpuKernelEntry> = {
    matmul: plain(wasmMatmul(rt)),
    sum: plain(wasmReduce(rt, 'sum', cpuKernels.sum.kernel)),
    max: plain(wasmReduce(rt, 'max', cpuKernels.max.kernel)),
    softmax: plain(wasmSoftmax(rt)),
    layerNorm: plain(wasmLayerNorm(rt)),
    contiguous: strided(copyStrided),
    pad: strided(padRows),
    where: strided(wasmWhere(rt, cpuKernels.where.kernel)),
    gelu: strided(wasmGelu(rt) as CpuKernel<never>),
    adamwUpdate: plain(adamwUpdateLoop),
  };
  for (const op of unaryKernelOps) table[op] = strided(wasmUnary(rt, op, cpuKernels[op].kernel));
  for (const op of binaryKernelOps) table[op] = strided(wasmBinary(rt, op, cpuKernels[op].kernel));
  return table;
}
