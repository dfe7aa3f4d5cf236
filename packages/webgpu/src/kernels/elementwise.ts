// Glue shared by the kernels with one invocation per element (unary, binary, where, cast,
// contiguous, and gather, scatterAdd, pad, concat, conv2d): the generated WGSL header (dtype
// aliases and the op's function), the flat dispatch, and one elementwise dispatch over a contiguous
// output with every input strided and broadcast, axes merged where all operands allow it.
import { sizeOf } from '@longshort/tensor';
import { wgslType, type GpuDType } from '../dtypes.js';
import type { GpuView, KernelContext } from '../kernel.js';
import { assertRank, broadcastStrides, coalesce } from '../layout.js';
import type { ParamsValues } from '../params.js';
import type { Program } from '../pipelines.js';

/** Invocations per workgroup of the elementwise kernels (the WGSL default of WORKGROUP_SIZE). */
export const elementwiseWorkgroupSize = 256;

/** `alias` lines for the storage types (and `enable f16;` when one is f16), then `body`. */
export function wgslHeader(aliases: Readonly<Record<string, GpuDType>>, body: string): string {
  const types = Object.values(aliases);
  return [
    ...(types.includes('f16') ? ['enable f16;'] : []),
    ...Object.entries(aliases).map(([name, dtype]) => `alias ${name} = ${wgslType(dtype)};`),
    body,
  ].join('\n');
}

/** A WGSL bool expression: `x` (of compute type `type`) is not zero; NaN counts as non-zero. */
export function nonzero(x: string, type: 'f32' | 'i32' | 'u32'): string {
  return type === 'f32' ? `nonzero_f32(${x})` : `${x} != ${type}(0)`;
}

/**
 * Dispatches `program` with one invocation per element of a flat range of `size` (Params gets
 * `size` too; the WGSL returns past it); nothing when `size` is 0.
 */
export function dispatchFlat(context: KernelContext, program: Program, buffers: readonly GPUBuffer[], params: ParamsValues, size: number): void {
  if (size === 0) return;
  context.dispatch(program, buffers, { size, ...params }, Math.ceil(size / elementwiseWorkgroupSize));
}

/**
 * Dispatches an elementwise program: `names[i]` is input i's suffix in Params
 * (`offset_<name>`, `strides_<name>`); the output is contiguous.
 */
export function dispatchElementwise(context: KernelContext, program: Omit<Program, 'constants'>, names: readonly string[],
  inputs: readonly GpuView[], output: GpuView): void {
  const size = sizeOf(output.shape);
  if (size === 0) return;
  const merged = coalesce(output.shape, inputs.map((v) => broadcastStrides(v, output.shape)));
  assertRank(merged.shape.length, program.label);
  const params: Record<string, number | readonly number[]> = { shape: merged.shape };
  names.forEach((name, i) => {
    params[`offset_${name}`] = inputs[i].offset;
    params[`strides_${name}`] = merged.strides[i];
  });
  dispatchFlat(context, { ...program, constants: { RANK: merged.shape.length } }, [...inputs.map((v) => v.data.buffer), output.data.buffer], params, size);
}
