// sum and max over any set of axes (keepDims only changes the output's shape, not its order).
// Inputs may be strided: kept and reduced axes are each merged where their strides allow.
// NOTE: sums accumulate in f32 per invocation and then by a tree, which keeps the error near
// log₂(n) ulps rather than the n ulps of one running sum; the reference accumulates in f64.
import { sizeOf, type AttrsOf } from '@longshort/tensor';
import { computeType, type GpuDType } from '../../dtypes.js';
import { defineWebGPUKernel, type GpuView, type KernelContext } from '../../kernel.js';
import { assertRank, coalesce, nextPowerOfTwo } from '../../layout.js';
import type { Program } from '../../pipelines.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { wgslHeader } from '../elementwise.js';
import reduceWgsl from './reduce.wgsl';
import reductionWgsl from './reduction.wgsl';

/** Workgroup size of the reduction kernels. */
const workgroupSize = 256;

/** Invocations per output: enough that each handles about 16 elements, at most a workgroup. */
export function lanesFor(reduced: number): number {
  return Math.min(workgroupSize, nextPowerOfTwo(Math.ceil(reduced / 16)));
}

export interface ReductionLayout {
  readonly outputs: number;
  readonly reduced: number;
  readonly params: Record<string, number | readonly number[]>;
  readonly constants: Record<string, number>;
}

/** Params of a reduction of `x` over `axes`: kept and reduced axes, each merged, with strides. */
export function reductionLayout(x: GpuView, axes: readonly number[], label: string): ReductionLayout {
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const kept = coalesce(keptAxes.map((i) => x.shape[i]), [keptAxes.map((i) => x.strides[i])]);
  const reduced = coalesce(axes.map((i) => x.shape[i]), [axes.map((i) => x.strides[i])]);
  assertRank(Math.max(kept.shape.length, reduced.shape.length), label);
  const outputs = sizeOf(kept.shape);
  const reducedCount = sizeOf(reduced.shape);
  return {
    outputs,
    reduced: reducedCount,
    params: {
      outputs,
      reduced: reducedCount,
      offset_x: x.offset,
      kept_shape: kept.shape,
      kept_strides: kept.strides[0],
      reduced_shape: reduced.shape,
      reduced_strides: reduced.strides[0],
    },
    constants: { KEPT_RANK: kept.shape.length, REDUCED_RANK: reduced.shape.length, LANES: lanesFor(reducedCount) },
  };
}

/** Dispatches a reduction program over `layout` (one output per LANES invocations). */
export function dispatchReduction(context: KernelContext, program: Omit<Program, 'constants'>, layout: ReductionLayout,
  buffers: readonly GPUBuffer[]): void {
  if (layout.outputs === 0) return;
  const perWorkgroup = workgroupSize / layout.constants.LANES;
  context.dispatch({ ...program, constants: layout.constants }, buffers, layout.params, Math.ceil(layout.outputs / perWorkgroup));
}

function header(kind: 'sum' | 'max', x: GpuDType, y: GpuDType): string {
  const c = computeType(y);
  const body = kind === 'sum'
    ? `fn identity() -> C { return C(0); }\nfn combine(a: C, b: C) -> C { return a + b; }`
    : c === 'f32'
      ? 'fn identity() -> C { return -from_bits(0x7f800000u); }\nfn combine(a: C, b: C) -> C { return max_f32(a, b); }'
      : 'fn identity() -> C { return bitcast<i32>(0x80000000u); }\nfn combine(a: C, b: C) -> C { return max(a, b); }';
  return wgslHeader({ X: x, Y: y }, `alias C = ${c};\n${body}\nfn load(raw: X) -> C { return C(raw); }\nfn store(c: C) -> Y { return Y(c); }`);
}

function reduceKernel(kind: 'sum' | 'max') {
  return defineWebGPUKernel<AttrsOf<'sum'>>(kind, {
    strided: true,
    run(context, [x], [y], { axes }) {
      const layout = reductionLayout(x, axes, kind);
      dispatchReduction(context, {
        label: kind,
        key: `${x.dtype}>${y.dtype}`,
        code: () => linkWgsl(header(kind, x.dtype, y.dtype), snippets.index, snippets.numerics, reductionWgsl, reduceWgsl),
      }, layout, [x.data.buffer, y.data.buffer]);
    },
  });
}

export const sumKernel = reduceKernel('sum');
export const maxKernel = reduceKernel('max');
