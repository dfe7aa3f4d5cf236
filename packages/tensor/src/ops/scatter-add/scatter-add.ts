// scatterAdd (primitive) with torch.scatter_add semantics: out = x with src added at the index
// positions along axis, e.g. out[index[i][j]][j] += src[i][j] for axis 0. Repeated indices add up.
import { ShapeError, formatShape } from '../../errors/index.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { defineOp } from '../define-op.js';
import { assertIndexFits, gather, indexedAxis } from '../gather/gather.js';
import type { AxisAttrs } from '../gather/reference.js';
import { pad } from '../pad/pad.js';
import { assertDType, assertSameDType } from '../validate.js';

export const scatterAddOp = defineOp<AxisAttrs>({
  name: 'scatterAdd',
  infer: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  // d/dsrc picks g at the scattered positions; src entries outside the index box get zero.
  gradient: ({ inputs: [, index, src], grads: [g], attrs: { axis } }) => [
    g!,
    null,
    pad(gather(g!, axis, index), src.shape.map((d, i) => [0, d - index.shape[i]] as [number, number])),
  ],
});

/**
 * Adds `src` into a copy of `x` at the positions `index` (i32) along `axis` (torch.scatter_add):
 * for axis 0, out[index[i][j]][j] += src[i][j]. x, index and src have the same rank;
 * index.shape[d] <= src.shape[d] on every axis and index.shape[d] <= x.shape[d] for d != axis
 * (only the leading index.shape box of src is used). Out-of-range index values throw ShapeError
 * when the kernel runs.
 * @example scatterAdd(zeros([3]), 0, tensor([0, 2, 0], undefined, 'i32'), tensor([1, 2, 3])) // [4, 0, 2]
 */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  const a = indexedAxis('scatterAdd', x, axis);
  assertDType('scatterAdd', 'x', x, ['f32', 'f64', 'f16', 'i32']);
  assertDType('scatterAdd', 'index', index, ['i32']);
  assertSameDType('scatterAdd', x, src, ['x', 'src']);
  assertIndexFits('scatterAdd', x, index, a);
  if (src.rank !== index.rank || index.shape.some((d, i) => d > src.shape[i])) {
    throw new ShapeError('SHAPE_MISMATCH', 'scatterAdd', 'index', 'does not fit src', `rank ${src.rank} and index.shape[d] <= src.shape[d] on every axis`,
      `index ${formatShape(index.shape)} and src ${formatShape(src.shape)}`);
  }
  return applyOp(scatterAddOp, [x, index, src], { axis: a })[0];
}
