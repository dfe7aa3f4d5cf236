// Unary elementwise primitives. Each has a CPU kernel (reference.ts, from unary-functions.ts) and
// a gradient rule written with other ops.
import type { DType } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { div, gt, mul, sub } from '../binary/binary.js';
import { zerosLike } from '../creation/creation.js';
import { defineOp, type GradContext, type NoAttrs, type OpDef } from '../define-op.js';
import { where } from '../where/where.js';
import { assertDType, assertFloat } from '../validate.js';
import type { UnaryOpName } from './unary-functions.js';

type Rule = (ctx: GradContext<NoAttrs>) => Tensor | null;

const floatOnly = new Set<UnaryOpName>(['exp', 'log', 'sqrt', 'rsqrt', 'tanh', 'erf', 'sin', 'cos', 'sigmoid', 'reciprocal']);

function unaryOp(name: UnaryOpName, rule: Rule | null, outDType?: DType): OpDef<NoAttrs> {
  return defineOp<NoAttrs>({
    name,
    infer: ([x]) => [{ shape: x.shape, dtype: outDType ?? x.dtype }],
    ...(rule ? { gradient: (ctx) => [rule(ctx)] } : { differentiable: false }),
  });
}

const g0 = (ctx: GradContext<NoAttrs>) => ctx.grads[0]!;
const x0 = (ctx: GradContext<NoAttrs>) => ctx.inputs[0];
const y0 = (ctx: GradContext<NoAttrs>) => ctx.outputs[0];
const zeroGrad: Rule = (ctx) => zerosLike(x0(ctx));

export const unaryOps = {
  neg: unaryOp('neg', (c) => mul(g0(c), -1)),
  abs: unaryOp('abs', (c) => mul(g0(c), sign(x0(c)))),
  exp: unaryOp('exp', (c) => mul(g0(c), y0(c))),
  log: unaryOp('log', (c) => div(g0(c), x0(c))),
  sqrt: unaryOp('sqrt', (c) => div(g0(c), mul(y0(c), 2))),
  // d/dx x^-1/2 = -1/2 · y³
  rsqrt: unaryOp('rsqrt', (c) => mul(g0(c), mul(mul(y0(c), mul(y0(c), y0(c))), -0.5))),
  tanh: unaryOp('tanh', (c) => mul(g0(c), sub(1, mul(y0(c), y0(c))))),
  // d/dx erf(x) = 2/√π · e^(−x²)
  erf: unaryOp('erf', (c) => mul(g0(c), mul(exp(mul(mul(x0(c), x0(c)), -1)), 2 / Math.sqrt(Math.PI)))),
  sin: unaryOp('sin', (c) => mul(g0(c), cos(x0(c)))),
  cos: unaryOp('cos', (c) => mul(g0(c), neg(sin(x0(c))))),
  // NOTE: the subgradient at 0 is 0, as in PyTorch.
  relu: unaryOp('relu', (c) => where(gt(x0(c), 0), g0(c), 0)),
  sigmoid: unaryOp('sigmoid', (c) => mul(g0(c), mul(y0(c), sub(1, y0(c))))),
  sign: unaryOp('sign', zeroGrad),
  floor: unaryOp('floor', zeroGrad),
  ceil: unaryOp('ceil', zeroGrad),
  round: unaryOp('round', zeroGrad),
  reciprocal: unaryOp('reciprocal', (c) => mul(g0(c), neg(mul(y0(c), y0(c))))),
  square: unaryOp('square', (c) => mul(g0(c), mul(x0(c), 2))),
  logicalNot: unaryOp('logicalNot', null, 'bool'),
} satisfies Record<UnaryOpName, OpDef<NoAttrs>>;

function apply(name: UnaryOpName, x: Tensor): Tensor {
  if (floatOnly.has(name)) assertFloat(name, 'x', x);
  else if (name !== 'logicalNot') assertDType(name, 'x', x, ['f32', 'f64', 'f16', 'i32']);
  return applyOp(unaryOps[name], [x], {})[0];
}

/** −x. @example neg(tensor([1, -2])) // [-1, 2] */
export const neg = (x: Tensor) => apply('neg', x);
/** |x|. @example abs(tensor([-1.5])) // [1.5] */
export const abs = (x: Tensor) => apply('abs', x);
/** eˣ. @example exp(tensor([0])) // [1] */
export const exp = (x: Tensor) => apply('exp', x);
/** Natural logarithm. @example log(tensor([1])) // [0] */
export const log = (x: Tensor) => apply('log', x);
/** √x. @example sqrt(tensor([4])) // [2] */
export const sqrt = (x: Tensor) => apply('sqrt', x);
/** 1/√x. @example rsqrt(tensor([4])) // [0.5] */
export const rsqrt = (x: Tensor) => apply('rsqrt', x);
/** Hyperbolic tangent. @example tanh(tensor([0])) // [0] */
export const tanh = (x: Tensor) => apply('tanh', x);
/** The error function, accurate to float32. @example erf(tensor([0])) // [0] */
export const erf = (x: Tensor) => apply('erf', x);
/** Sine. @example sin(tensor([0])) // [0] */
export const sin = (x: Tensor) => apply('sin', x);
/** Cosine. @example cos(tensor([0])) // [1] */
export const cos = (x: Tensor) => apply('cos', x);
/** max(x, 0). @example relu(tensor([-1, 2])) // [0, 2] */
export const relu = (x: Tensor) => apply('relu', x);
/** 1/(1+e⁻ˣ), computed without overflow. @example sigmoid(tensor([0])) // [0.5] */
export const sigmoid = (x: Tensor) => apply('sigmoid', x);
/** −1, 0 or 1. @example sign(tensor([-3, 0, 2])) // [-1, 0, 1] */
export const sign = (x: Tensor) => apply('sign', x);
/** ⌊x⌋. @example floor(tensor([1.5])) // [1] */
export const floor = (x: Tensor) => apply('floor', x);
/** ⌈x⌉. @example ceil(tensor([1.5])) // [2] */
export const ceil = (x: Tensor) => apply('ceil', x);
/** Round half to even. @example round(tensor([2.5])) // [2] */
export const round = (x: Tensor) => apply('round', x);
/** 1/x. @example reciprocal(tensor([4])) // [0.25] */
export const reciprocal = (x: Tensor) => apply('reciprocal', x);
/** x². @example square(tensor([3])) // [9] */
export const square = (x: Tensor) => apply('square', x);
/** Logical not (bool result). @example logicalNot(tensor([0, 1], [2], 'bool')) // [1, 0] */
export const logicalNot = (x: Tensor) => apply('logicalNot', x);
