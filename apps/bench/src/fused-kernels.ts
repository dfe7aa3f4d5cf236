// The suites' CPU backends with the fused attention kernels (@longshort/attention) registered, and
// the reason when they could not be: a benchmark records why its fused numbers are missing.
import { fusedAttentionOps, registerFusedAttentionKernels } from '@longshort/attention';
import type { CpuBackend } from '@longshort/tensor';

/** `error`'s message (or the thrown value as text). */
export const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Registers the fused attention kernels on `backend`; null when every fused op has a kernel, else why not.
 * @example const problem = addFusedKernels(createCpuBackend()); // null
 */
export function addFusedKernels(backend: CpuBackend): string | null {
  try {
    registerFusedAttentionKernels(backend);
  } catch (error) {
    return `registerFusedAttentionKernels failed: ${message(error)}`;
  }
  const missing = Object.values(fusedAttentionOps).filter((op) => !backend.hasKernel(op));
  return missing.length === 0 ? null : `the backend has no kernel for ${missing.join(', ')}`;
}
