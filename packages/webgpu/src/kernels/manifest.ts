// The WebGPU kernel table: every primitive of @longshort/tensor maps to a kernel or to an explicit
// 'cpu-fallback' (counted in stats().fallbacks). `satisfies WebGPUKernelTable` makes a primitive
// added to the core a compile error here until it gets a decision. The fused kernels of the core's
// fusable composites (softmax, layerNorm, gelu, adamwUpdate) are a second, open list.
import type { AttrsOf, KernelTable, PrimitiveOpName } from '@longshort/tensor';
import type { WebGPUKernel } from '../kernel.js';
import { adamwUpdateKernel } from './adamw-update/adamw-update.js';
import { argmaxKernel } from './argmax/argmax.js';
import { binaryKernels } from './binary/binary.js';
import { castKernel } from './cast/cast.js';
import { concatKernel } from './concat/concat.js';
import { contiguousKernel } from './contiguous/contiguous.js';
import { conv2dBackwardInputKernel, conv2dBackwardWeightKernel, conv2dKernel } from './conv2d/conv2d.js';
import { gatherKernel, indexSelectKernel } from './gather/gather.js';
import { geluKernel } from './gelu/gelu.js';
import { layerNormKernel } from './layer-norm/layer-norm.js';
import { matmulKernel } from './matmul/matmul.js';
import { padKernel } from './pad/pad.js';
import { maxKernel, sumKernel } from './reduce/reduce.js';
import { scatterAddKernel } from './scatter-add/scatter-add.js';
import { softmaxKernel } from './softmax/softmax.js';
import { unaryKernels } from './unary/unary.js';
import { whereKernel } from './where/where.js';

/** A kernel table whose kernels take each op's own attributes. */
export type WebGPUKernelTable = KernelTable<WebGPUKernel<never>> & {
  readonly [K in PrimitiveOpName]: WebGPUKernel<AttrsOf<K>> | 'cpu-fallback';
};

/** Every primitive's WebGPU kernel. @example webgpuKernels.gather === 'cpu-fallback' // false: gather has a kernel */
export const webgpuKernels: WebGPUKernelTable = {
  ...unaryKernels,
  ...binaryKernels,
  where: whereKernel,
  cast: castKernel,
  contiguous: contiguousKernel,
  pad: padKernel,
  sum: sumKernel,
  max: maxKernel,
  argmax: argmaxKernel,
  matmul: matmulKernel,
  gather: gatherKernel,
  indexSelect: indexSelectKernel,
  scatterAdd: scatterAddKernel,
  concat: concatKernel,
  conv2d: conv2dKernel,
  conv2dBackwardInput: conv2dBackwardInputKernel,
  conv2dBackwardWeight: conv2dBackwardWeightKernel,
} satisfies WebGPUKernelTable;

/**
 * The fused kernels of the core's fusable composites (each replaces the op's decomposition).
 * @example webgpuCompositeKernels.map((k) => k.op) // ['softmax', 'layerNorm', 'gelu', 'adamwUpdate']
 */
export const webgpuCompositeKernels: readonly WebGPUKernel<never>[] = [softmaxKernel, layerNormKernel, geluKernel, adamwUpdateKernel] as WebGPUKernel<never>[];
