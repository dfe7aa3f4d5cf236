// Binary elementwise kernels with broadcasting: one WGSL template (binary.wgsl) specialised by the
// op's expression. Operands are converted to the promoted compute type first (as the reference
// computes on promoted values); comparisons and logical ops store bool (u32 0/1).
import { promoteTypes, type NoAttrs } from '@longshort/tensor';
import { computeType, type GpuDType } from '../../dtypes.js';
import { defineWebGPUKernel, type WebGPUKernel } from '../../kernel.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchElementwise, nonzero, wgslHeader } from '../elementwise.js';
import binaryWgsl from './binary.wgsl';

type ComputeType = 'f32' | 'i32' | 'u32';

const arithmetic = {
  add: () => 'a + b',
  sub: () => 'a - b',
  mul: () => 'a * b',
  div: () => 'a / b',
  pow: (c: ComputeType) => (c === 'f32' ? 'pow_f32(a, b)' : c === 'i32' ? 'pow_i32(a, b)' : 'u32(pow_i32(i32(a), i32(b)))'),
  // NOTE: NaN propagates (WGSL's max/min leave NaN handling to the implementation).
  maximum: (c: ComputeType) => (c === 'f32' ? 'max_f32(a, b)' : 'max(a, b)'),
  minimum: (c: ComputeType) => (c === 'f32' ? 'min_f32(a, b)' : 'min(a, b)'),
} as const;

const predicates = {
  eq: () => 'a == b',
  // NOTE: NaN ≠ anything; SwiftShader compiles != as an ordered comparison (false for NaN).
  ne: (c: ComputeType) => (c === 'f32' ? 'a != b || is_nan(a) || is_nan(b)' : 'a != b'),
  lt: () => 'a < b',
  le: () => 'a <= b',
  gt: () => 'a > b',
  ge: () => 'a >= b',
  logicalAnd: (c: ComputeType) => `${nonzero('a', c)} && ${nonzero('b', c)}`,
  logicalOr: (c: ComputeType) => `${nonzero('a', c)} || ${nonzero('b', c)}`,
} as const;

export type BinaryKernelName = keyof typeof arithmetic | keyof typeof predicates;

function expression(name: BinaryKernelName, c: ComputeType): string {
  return name in arithmetic ? `Y(${arithmetic[name as keyof typeof arithmetic](c)})`
    : `select(0u, 1u, ${predicates[name as keyof typeof predicates](c)})`;
}

function binaryKernel(name: BinaryKernelName): WebGPUKernel<NoAttrs> {
  return defineWebGPUKernel<NoAttrs>(name, {
    strided: true,
    run(context, [a, b], [y]) {
      const c = computeType(promoteTypes(a.dtype, b.dtype) as GpuDType);
      const header = wgslHeader({ A: a.dtype, B: b.dtype, Y: y.dtype },
        `fn op(a_raw: A, b_raw: B) -> Y {\n  let a = ${c}(a_raw);\n  let b = ${c}(b_raw);\n  return ${expression(name, c)};\n}`);
      dispatchElementwise(context, {
        label: name,
        key: `${a.dtype},${b.dtype}>${y.dtype}`,
        code: () => linkWgsl(header, snippets.index, snippets.numerics, binaryWgsl),
      }, ['a', 'b'], [a, b], y);
    },
  });
}

/** The binary kernels by op name. */
export const binaryKernels = Object.fromEntries(
  ([...Object.keys(arithmetic), ...Object.keys(predicates)] as BinaryKernelName[]).map((name) => [name, binaryKernel(name)]),
) as Record<BinaryKernelName, WebGPUKernel<NoAttrs>>;
