// Binary elementwise primitives with NumPy broadcasting and dtype promotion. A JavaScript number
// operand is a "weak" scalar: it takes the other operand's dtype (f32 if that is an integer
// dtype and the number is not an integer), as in PyTorch.
import { isFloat, promoteTypes, type DType } from '../../dtype.js';
import { broadcastShapes } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { cast } from '../cast/cast.js';
import { scalar } from '../creation/creation.js';
import { defineOp, type GradContext, type NoAttrs, type OpDef } from '../define-op.js';
import { sumTo } from '../reduce/reduce.js';
import { log } from '../unary/unary.js';
import { where } from '../where/where.js';
import { assertDType } from '../validate.js';
import { comparisonOps, type BinaryOpName } from './binary-functions.js';

export type TensorLike = Tensor | number;

type Rule = (ctx: GradContext<NoAttrs>) => [Tensor | null, Tensor | null];

function binaryOp(name: BinaryOpName, rule: Rule | null): OpDef<NoAttrs> {
  const isComparison = comparisonOps.has(name);
  return defineOp<NoAttrs>({
    name,
    infer: ([a, b]) => [{ shape: broadcastShapes(name, a.shape, b.shape), dtype: isComparison ? 'bool' : promoteTypes(a.dtype, b.dtype) }],
    ...(rule ? {
      gradient: (ctx) => {
        const [ga, gb] = rule(ctx);
        return [ga && sumTo(ga, ctx.inputs[0].shape), gb && sumTo(gb, ctx.inputs[1].shape)];
      },
    } : { differentiable: false }),
  });
}

const parts = (c: GradContext<NoAttrs>) => ({ g: c.grads[0]!, a: c.inputs[0], b: c.inputs[1], y: c.outputs[0] });

export const binaryOps = {
  add: binaryOp('add', (c) => [c.grads[0], c.grads[0]]),
  sub: binaryOp('sub', (c) => [c.grads[0], mul(c.grads[0]!, -1)]),
  mul: binaryOp('mul', (c) => { const { g, a, b } = parts(c); return [mul(g, b), mul(g, a)]; }),
  div: binaryOp('div', (c) => { const { g, b, y } = parts(c); return [div(g, b), mul(neg1(g), div(y, b))]; }),
  // d/da a^b = b·a^(b−1); d/db a^b = ln(a)·a^b (taken as 0 where a ≤ 0, as the limit for a = 0).
  pow: binaryOp('pow', (c) => {
    const { g, a, b, y } = parts(c);
    return [mul(g, mul(b, pow(a, sub(b, 1)))), mul(g, where(gt(a, 0), mul(log(where(gt(a, 0), a, 1)), y), 0))];
  }),
  // NOTE: at ties the gradient is split evenly, as PyTorch does for maximum/minimum.
  maximum: binaryOp('maximum', (c) => tieSplit(c, gt)),
  minimum: binaryOp('minimum', (c) => tieSplit(c, lt)),
  eq: binaryOp('eq', null),
  ne: binaryOp('ne', null),
  lt: binaryOp('lt', null),
  le: binaryOp('le', null),
  gt: binaryOp('gt', null),
  ge: binaryOp('ge', null),
  logicalAnd: binaryOp('logicalAnd', null),
  logicalOr: binaryOp('logicalOr', null),
} satisfies Record<BinaryOpName, OpDef<NoAttrs>>;

function neg1(g: Tensor): Tensor {
  return mul(g, -1);
}

function tieSplit(c: GradContext<NoAttrs>, wins: (a: Tensor, b: Tensor) => Tensor): [Tensor, Tensor] {
  const { g, a, b } = parts(c);
  const half = mul(g, 0.5);
  const ga = where(wins(a, b), g, where(eq(a, b), half, 0));
  const gb = where(wins(b, a), g, where(eq(a, b), half, 0));
  return [ga, gb];
}

function weakDType(value: number, other: DType): DType {
  if ((other === 'i32' || other === 'bool') && !Number.isInteger(value)) return 'f32';
  return other === 'bool' ? 'i32' : other;
}

/** Turns numbers into scalar tensors on the other operand's backend. */
function operands(name: string, a: TensorLike, b: TensorLike): [Tensor, Tensor, Tensor[]] {
  const owned: Tensor[] = [];
  const toTensor = (v: TensorLike, other: TensorLike): Tensor => {
    if (Tensor.isTensor(v)) return v;
    const ref = Tensor.isTensor(other) ? other : null;
    const t = scalar(v, ref ? weakDType(v, ref.dtype) : 'f32', ref?.backend);
    owned.push(t);
    return t;
  };
  const ta = toTensor(a, b);
  const tb = toTensor(b, a);
  assertDType(name, 'a', ta, ['f32', 'f64', 'f16', 'i32', 'bool']);
  return [ta, tb, owned];
}

function apply(name: BinaryOpName, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, owned] = operands(name, a, b);
  try {
    let x = ta;
    let y = tb;
    // NOTE: integer division is true division (as in PyTorch): i32 and bool operands are divided as f32.
    if (name === 'div' && !isFloat(promoteTypes(x.dtype, y.dtype))) {
      x = cast(x, 'f32');
      y = cast(y, 'f32');
      owned.push(x, y);
    }
    const out = applyOp(binaryOps[name], [x, y], {})[0];
    if (out.dtype !== 'bool' || comparisonOps.has(name)) return out;
    // NOTE: arithmetic on two bools stays bool (add = or, mul = and, as in PyTorch); the raw
    // result (1 + 1 = 2) is normalised so that a bool tensor only ever holds 0 and 1.
    owned.push(out);
    return cast(out, 'bool');
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** a + b (broadcasting). @example add(tensor([1, 2]), 1) // [2, 3] */
export const add = (a: TensorLike, b: TensorLike) => apply('add', a, b);
/** a − b. @example sub(tensor([3]), tensor([1])) // [2] */
export const sub = (a: TensorLike, b: TensorLike) => apply('sub', a, b);
/** a · b. @example mul(tensor([2, 3]), 2) // [4, 6] */
export const mul = (a: TensorLike, b: TensorLike) => apply('mul', a, b);
/** a / b (true division, also for integers). @example div(tensor([1]), 4) // [0.25] */
export const div = (a: TensorLike, b: TensorLike) => apply('div', a, b);
/** aᵇ. @example pow(tensor([2]), 3) // [8] */
export const pow = (a: TensorLike, b: TensorLike) => apply('pow', a, b);
/** Elementwise maximum (NaN propagates). @example maximum(tensor([1, 5]), 3) // [3, 5] */
export const maximum = (a: TensorLike, b: TensorLike) => apply('maximum', a, b);
/** Elementwise minimum (NaN propagates). @example minimum(tensor([1, 5]), 3) // [1, 3] */
export const minimum = (a: TensorLike, b: TensorLike) => apply('minimum', a, b);
/** a == b (bool). */
export const eq = (a: TensorLike, b: TensorLike) => apply('eq', a, b);
/** a != b (bool). */
export const ne = (a: TensorLike, b: TensorLike) => apply('ne', a, b);
/** a < b (bool). */
export const lt = (a: TensorLike, b: TensorLike) => apply('lt', a, b);
/** a <= b (bool). */
export const le = (a: TensorLike, b: TensorLike) => apply('le', a, b);
/** a > b (bool). */
export const gt = (a: TensorLike, b: TensorLike) => apply('gt', a, b);
/** a >= b (bool). */
export const ge = (a: TensorLike, b: TensorLike) => apply('ge', a, b);
/** a && b (bool). */
export const logicalAnd = (a: TensorLike, b: TensorLike) => apply('logicalAnd', a, b);
/** a || b (bool). */
export const logicalOr = (a: TensorLike, b: TensorLike) => apply('logicalOr', a, b);
