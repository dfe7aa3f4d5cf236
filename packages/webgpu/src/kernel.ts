// The WebGPU kernel contract: a kernel receives GPU views of its inputs and freshly allocated
// contiguous outputs, and encodes dispatches through a KernelContext (tfjs's WebGPUProgram split
// into a Program, pipelines.ts, and the glue that packs Params and picks the grid).
import type { TensorView } from '@longshort/tensor';
import type { GpuDType } from './dtypes.js';
import type { IndexCheck } from './index-check.js';
import type { ParamsValues } from './params.js';
import type { Program } from './pipelines.js';

/** GPU storage of a tensor: a pooled buffer holding `size` elements of `dtype`. */
export interface GpuData {
  readonly buffer: GPUBuffer;
  readonly dtype: GpuDType;
  readonly size: number;
}

/** A tensor view whose storage is a GPU buffer. */
export interface GpuView extends TensorView {
  readonly data: GpuData;
  readonly dtype: GpuDType;
}

/** A dispatch grid: a workgroup count (folded into 2-D when needed) or explicit [x, y, z]. */
export type Grid = number | readonly [number, number, number];

export interface KernelContext {
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;
  /** Workgroups per grid dimension that kernels may use (numeric grids are folded to fit). */
  readonly maxWorkgroupsPerDimension: number;
  /**
   * Encodes one dispatch of `program`: `buffers` bind at 0..n−1 (inputs, then outputs), the
   * packed `params` uniform binds last.
   */
  dispatch(program: Program, buffers: readonly GPUBuffer[], params: ParamsValues, grid: Grid): void;
  /** Scratch storage of `bytes` bytes, returned to the pool after the current batch is submitted. */
  scratch(bytes: number): GPUBuffer;
  /** The status buffer and id under which a kernel reports out-of-range index values. */
  indexCheck(check: IndexCheck): { buffer: GPUBuffer; id: number };
}

/** A kernel for one op on the WebGPU backend. */
export interface WebGPUKernel<A extends object = object> {
  /** The op name, as in the op's definition. */
  readonly op: string;
  /** Whether it takes inputs of any strides (otherwise they are made contiguous first). */
  readonly strided?: boolean;
  run(context: KernelContext, inputs: readonly GpuView[], outputs: readonly GpuView[], attrs: A): void;
}

/**
 * Defines a kernel for `op` (how other packages add fused kernels; pass them to
 * createWebGPUBackend({ kernels: [...] })).
 * @example const myExp = defineWebGPUKernel<NoAttrs>('exp', { run: (ctx, [x], [y]) => { ... } });
 */
export function defineWebGPUKernel<A extends object>(op: string, kernel: Omit<WebGPUKernel<A>, 'op'>): WebGPUKernel<A> {
  return { op, ...kernel };
}
