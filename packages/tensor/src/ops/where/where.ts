// where(cond, a, b): elementwise select with broadcasting; maskedFill is its common use.
import { broadcastStrides, forEachStrided, type CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { promoteTypes } from '../../dtype.js';
import { broadcastShapes } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import type { TensorLike } from '../binary/binary.js';
import { scalar } from '../creation/creation.js';
import { defineOp, type NoAttrs } from '../define-op.js';
import { sumTo } from '../reduce/reduce.js';
import { assertDType } from '../validate.js';

export const whereOp = defineOp<NoAttrs>({
  name: 'where',
  infer: ([c, a, b]) => [{ shape: broadcastShapes('where', c.shape, a.shape, b.shape), dtype: promoteTypes(a.dtype, b.dtype) }],
  gradient: ({ inputs: [c, a, b], grads: [g] }) => [
    null,
    sumTo(where(c, g!, 0), a.shape),
    sumTo(where(c, 0, g!), b.shape),
  ],
});

export const whereReference: CpuKernel<NoAttrs> = ([c, a, b], [out]) => {
  const inputs = [c, a, b].map((v) => ({ strides: broadcastStrides(v, out.shape), offset: v.offset }));
  const [cv, av, bv, dst] = [c.array, a.array, b.array, out.array];
  forEachStrided(out.shape, inputs, (i, [oc, oa, ob]) => {
    dst[i] = cv[oc] ? av[oa] : bv[ob];
  });
};

/**
 * Picks `a` where `cond` is true and `b` elsewhere (broadcasting all three).
 * @example where(gt(x, 0), x, 0) // relu
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  assertDType('where', 'cond', cond, ['bool']);
  const owned: Tensor[] = [];
  const ref = Tensor.isTensor(a) ? a : Tensor.isTensor(b) ? b : null;
  const toTensor = (v: TensorLike) => {
    if (Tensor.isTensor(v)) return v;
    const t = scalar(v, ref?.dtype ?? 'f32', cond.backend);
    owned.push(t);
    return t;
  };
  try {
    return applyOp(whereOp, [cond, toTensor(a), toTensor(b)], {})[0];
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** `x` with `value` where `mask` is true. @example maskedFill(scores, padMask, -Infinity) */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}
