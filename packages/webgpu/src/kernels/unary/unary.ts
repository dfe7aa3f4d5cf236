// Unary elementwise kernels: one WGSL template (unary.wgsl) specialised by the op's expression.
// Float-only ops compute in f32; sign/relu/floor/… also take i32; logicalNot takes any dtype.
import type { NoAttrs } from '@longshort/tensor';
import { computeType } from '../../dtypes.js';
import { defineWebGPUKernel, type WebGPUKernel } from '../../kernel.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchElementwise, nonzero, wgslHeader } from '../elementwise.js';
import unaryWgsl from './unary.wgsl';

type ComputeType = 'f32' | 'i32' | 'u32';

/** The WGSL expression of each op on `x` (a `let` of compute type `c`), and whether it is a bool. */
const expressions = {
  neg: () => '-x',
  abs: () => 'abs(x)',
  exp: () => 'exp(x)',
  // NOTE: log of a negative number is NaN (SwiftShader returns log|x|).
  log: () => 'select(log(x), nan_f32(), x < 0.0)',
  sqrt: () => 'sqrt(x)',
  // NOTE: 1/sqrt rather than inverseSqrt, whose precision WGSL leaves looser.
  rsqrt: () => '1.0 / sqrt(x)',
  tanh: () => 'tanh_f32(x)',
  erf: () => 'erf_f32(x)',
  sin: () => 'sin_f32(x)',
  cos: () => 'cos_f32(x)',
  // NOTE: NaN propagates, as in PyTorch.
  relu: (c: ComputeType) => (c === 'f32' ? 'select(0.0, x, x > 0.0 || is_nan(x))' : `max(x, ${c}(0))`),
  sigmoid: () => 'sigmoid_f32(x)',
  sign: (c: ComputeType) => `select(select(${c}(0), ${c}(-1), x < ${c}(0)), ${c}(1), x > ${c}(0))`,
  floor: (c: ComputeType) => (c === 'f32' ? 'floor(x)' : 'x'),
  ceil: (c: ComputeType) => (c === 'f32' ? 'ceil(x)' : 'x'),
  round: (c: ComputeType) => (c === 'f32' ? 'round(x)' : 'x'),
  reciprocal: () => '1.0 / x',
  square: () => 'x * x',
  logicalNot: (c: ComputeType) => `select(1u, 0u, ${nonzero('x', c)})`,
} as const;

export type UnaryKernelName = keyof typeof expressions;

/** Ops whose result for NaN is not NaN in the reference (sign gives 0, logicalNot a bool). */
const nanOpaque = new Set<UnaryKernelName>(['sign', 'logicalNot']);

function unaryKernel(name: UnaryKernelName): WebGPUKernel<NoAttrs> {
  return defineWebGPUKernel<NoAttrs>(name, {
    strided: true,
    run(context, [x], [y]) {
      const c = computeType(x.dtype);
      // NOTE: NaN in gives NaN out, as in the reference; WGSL leaves it to the implementation
      // (SwiftShader's exp(NaN) is +∞).
      const value = c === 'f32' && !nanOpaque.has(name) ? `select(${expressions[name](c)}, x, is_nan(x))` : expressions[name](c);
      const store = name === 'logicalNot' ? value : `Y(${value})`;
      const header = wgslHeader({ X: x.dtype, Y: y.dtype }, `fn op(raw: X) -> Y {\n  let x = ${c}(raw);\n  return ${store};\n}`);
      dispatchElementwise(context, {
        label: name,
        key: `${x.dtype}>${y.dtype}`,
        code: () => linkWgsl(header, snippets.index, snippets.numerics, unaryWgsl),
      }, ['x'], [x], y);
    },
  });
}

/** The unary kernels by op name. */
export const unaryKernels = Object.fromEntries(
  (Object.keys(expressions) as UnaryKernelName[]).map((name) => [name, unaryKernel(name)]),
) as Record<UnaryKernelName, WebGPUKernel<NoAttrs>>;
