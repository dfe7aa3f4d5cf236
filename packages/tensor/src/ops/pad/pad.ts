// pad: constant padding before and after each axis (negative amounts are not allowed; use slice).
import type { CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { forEachStrided } from '../../backends/cpu/cpu-kernel.js';
import { ShapeError } from '../../errors/index.js';
import { contiguousStrides } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { defineOp } from '../define-op.js';
import { slice } from '../views/views.js';

export interface PadAttrs {
  /** [before, after] for every axis. */
  readonly pads: readonly (readonly [number, number])[];
  readonly value: number;
}

export const padOp = defineOp<PadAttrs>({
  name: 'pad',
  infer: ([x], { pads }) => [{ shape: x.shape.map((d, i) => d + pads[i][0] + pads[i][1]), dtype: x.dtype }],
  gradient: ({ inputs: [x], grads: [g], attrs: { pads } }) => [slice(g!, pads.map((p) => p[0]), pads.map((p, i) => p[0] + x.shape[i]))],
});

export const padReference: CpuKernel<PadAttrs> = ([x], [out], { pads, value }) => {
  out.array.fill(value);
  const outStrides = contiguousStrides(out.shape);
  const offset = pads.reduce((acc, p, i) => acc + p[0] * outStrides[i], 0);
  const src = x.array;
  const dst = out.array;
  forEachStrided(x.shape, [{ strides: outStrides, offset }], (i, [o]) => {
    dst[o] = src[x.offset + i];
  });
};

/**
 * Pads with a constant. `pads[i] = [before, after]` for axis i; missing leading axes get none
 * (so `pad(x, [[1, 1]])` pads only the last axis when x has rank 1; give all axes otherwise).
 * @example pad(tensor([1, 2]), [[1, 0]]) // [0, 1, 2]
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  if (pads.length > x.rank) {
    throw new ShapeError('BAD_AXIS', 'pad', 'pads', 'has more entries than the tensor has axes', `at most ${x.rank}`, `${pads.length}`);
  }
  const full = [...x.shape.slice(0, x.rank - pads.length).map(() => [0, 0] as const), ...pads];
  for (const [before, after] of full) {
    if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 0) {
      throw new ShapeError('BAD_RESHAPE', 'pad', 'pads', 'has an invalid amount', 'non-negative integers', `[${before}, ${after}]`, 'use slice() to remove entries');
    }
  }
  return applyOp(padOp, [x], { pads: full, value })[0];
}
