// gather and indexSelect (primitives) and embedding (their composite), with PyTorch semantics:
// torch.gather, torch.index_select and torch.nn.functional.embedding. Indices are i32 and must lie
// in [0, size) of the indexed axis (no negative wrap-around); the CPU kernels throw ShapeError
// for any other value, since checking needs a data read the front end does not make.
import { ShapeError, formatShape } from '../../errors/index.js';
import { normalizeAxis } from '../../shape.js';
import { tidy } from '../../scope.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { zerosLike } from '../creation/creation.js';
import { defineOp } from '../define-op.js';
import { scatterAdd } from '../scatter-add/scatter-add.js';
import { assertDType, assertFloat } from '../validate.js';
import { expand, reshape } from '../views/views.js';
import type { AxisAttrs } from './reference.js';

export const gatherOp = defineOp<AxisAttrs>({
  name: 'gather',
  infer: ([x, index]) => [{ shape: index.shape, dtype: x.dtype }],
  gradient: ({ inputs: [x, index], grads: [g], attrs: { axis } }) => [scatterAdd(zerosLike(x), axis, index, g!), null],
});

export const indexSelectOp = defineOp<AxisAttrs>({
  name: 'indexSelect',
  infer: ([x, index], { axis }) => [{ shape: x.shape.map((d, i) => (i === axis ? index.shape[0] : d)), dtype: x.dtype }],
  // NOTE: the 1-D index is broadcast to g's shape, so that the index-add is one scatterAdd.
  gradient: ({ inputs: [x, index], grads: [g], attrs: { axis } }) => {
    const column = reshape(index, g!.shape.map((d, i) => (i === axis ? d : 1))); // (1, …, m, …, 1)
    return [scatterAdd(zerosLike(x), axis, expand(column, g!.shape), g!), null];
  },
});

/** Rejects rank-0 inputs and normalises `axis` (shared by the indexing ops). */
export function indexedAxis(op: string, x: Tensor, axis: number): number {
  if (x.rank === 0) {
    throw new ShapeError('BAD_AXIS', op, 'x', 'has no axis to index', 'a tensor of rank >= 1', formatShape(x.shape));
  }
  return normalizeAxis(axis, x.rank, op);
}

/**
 * Checks PyTorch's shape rule of gather/scatter: `index` has the rank of `x`, and
 * index.shape[d] <= x.shape[d] on every axis other than `axis`.
 */
export function assertIndexFits(op: string, x: Tensor, index: Tensor, axis: number, argument = 'x'): void {
  const fits = index.rank === x.rank && index.shape.every((d, i) => i === axis || d <= x.shape[i]);
  if (!fits) {
    throw new ShapeError('SHAPE_MISMATCH', op, 'index', `does not fit ${argument}`,
      `rank ${x.rank} and index.shape[d] <= ${argument}.shape[d] for d != ${axis}`, `index ${formatShape(index.shape)} and ${argument} ${formatShape(x.shape)}`);
  }
}

/**
 * Picks values along `axis` (torch.gather): out[i][j][k] = x[index[i][j][k]][j][k] for axis 0.
 * `index` (i32) has the rank of `x`, index.shape[d] <= x.shape[d] for d != axis, and the output
 * has index's shape. Out-of-range index values throw ShapeError when the kernel runs.
 * @example gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]], undefined, 'i32')) // [[1, 1], [4, 3]]
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = indexedAxis('gather', x, axis);
  assertDType('gather', 'index', index, ['i32']);
  assertIndexFits('gather', x, index, a);
  return applyOp(gatherOp, [x, index], { axis: a })[0];
}

/**
 * The slices of `x` at the positions `index` (1-D, i32) along `axis` (torch.index_select); the
 * output has x's shape with shape[axis] = index.length. Out-of-range values throw ShapeError.
 * @example indexSelect(table, 0, tensor([2, 0], undefined, 'i32')) // rows 2 and 0 of table
 */
export function indexSelect(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = indexedAxis('indexSelect', x, axis);
  assertDType('indexSelect', 'index', index, ['i32']);
  if (index.rank !== 1) {
    throw new ShapeError('SHAPE_MISMATCH', 'indexSelect', 'index', 'is not a vector', 'a 1-D index', formatShape(index.shape));
  }
  return applyOp(indexSelectOp, [x, index], { axis: a })[0];
}

/**
 * Looks up rows of `weight` (V, C) for the i32 `ids` of any shape (F.embedding without
 * padding_idx / max_norm): the result is (...ids.shape, C). Ids outside [0, V) throw ShapeError
 * (reported by indexSelect) when the kernel runs.
 * @example embedding(weight, ids) // weight (V, C), ids (B, T) → (B, T, C)
 */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  assertFloat('embedding', 'weight', weight);
  assertDType('embedding', 'ids', ids, ['i32']);
  if (weight.rank !== 2) {
    throw new ShapeError('SHAPE_MISMATCH', 'embedding', 'weight', 'is not a matrix', 'shape (V, C)', formatShape(weight.shape));
  }
  return tidy(() => {
    const rows = indexSelect(weight, 0, reshape(ids, [ids.size])); // (B·T, C)
    return reshape(rows, [...ids.shape, weight.shape[1]]); // (B, T, C)
  });
}
