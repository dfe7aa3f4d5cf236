// Shared set-up of the fused attention WebGPU kernels (spec A.3 steps 5–9, B.5 steps 5–6): the f32
// requirement, the workgroup tile height that fits the device's workgroup memory, the grid check,
// and the generated WGSL header (head size and tile height are WGSL constants, so private rows are
// fixed-size arrays; sequence lengths travel in Params, so a new n compiles nothing new).
import { CapabilityError, DTypeError } from '@longshort/tensor';
import type { GpuView, KernelContext } from '@longshort/webgpu';

/** Invocations per workgroup (WG in the WGSL). */
export const workgroupSize = 64;

/** The most rows a tile holds; fewer for wide heads, so that the tiles fit workgroup memory. */
const maxTileRows = 32;

/** Throws unless `q` is f32 (the front end gives every float input q's dtype; the kernels compute and store f32). */
export function requireF32(op: string, q: GpuView): void {
  if (q.dtype !== 'f32') throw new DTypeError('DTYPE_UNSUPPORTED', op, 'q', 'f32', q.dtype, 'webgpu');
}

/**
 * Rows per tile for head size `d`: two f32 tiles of rows × d plus a vec4 per row must fit the
 * device's workgroup memory (with a quarter left over).
 */
export function tileRows(context: KernelContext, d: number, op: string): number {
  const budget = (context.limits.maxComputeWorkgroupStorageSize * 3) / 4;
  const rows = Math.min(maxTileRows, Math.floor(budget / (8 * d + 16)));
  if (rows < 1) {
    throw new CapabilityError('LIMIT_TOO_LOW', op, `head size ${d} needs ${8 * d + 16} bytes of workgroup memory per tile row; expected at most ${budget}, got more.`,
      { limit: 'maxComputeWorkgroupStorageSize', actual: context.limits.maxComputeWorkgroupStorageSize, required: Math.ceil((8 * d + 16) * 4 / 3) });
  }
  return rows;
}

/**
 * Throws unless grids of `counts` workgroups fit the device's folded 2-D grid, before a kernel's
 * first dispatch: an op then fails as a whole (LIMIT_TOO_LOW) instead of after some of its passes.
 */
export function requireGrids(context: KernelContext, op: string, counts: readonly number[]): void {
  const most = context.maxWorkgroupsPerDimension ** 2;
  const largest = Math.max(0, ...counts);
  if (largest > most) {
    throw new CapabilityError('LIMIT_TOO_LOW', op, `needs ${largest} workgroups; expected at most ${most} (maxComputeWorkgroupsPerDimension squared), got more.`,
      { limit: 'maxComputeWorkgroupsPerDimension', actual: context.maxWorkgroupsPerDimension, required: Math.ceil(largest / context.maxWorkgroupsPerDimension) });
  }
}

/** The WGSL header every kernel is linked after: head size D and, for tiled kernels, tile height KT. */
export function constantsHeader(d: number, rows?: number): string {
  return `const D: u32 = ${d}u;${rows === undefined ? '' : `\nconst KT: u32 = ${rows}u;`}`;
}
