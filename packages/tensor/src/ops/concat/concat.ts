// concat (primitive, any number of inputs) and its composites stack, split and chunk, with the
// semantics of torch.cat, torch.stack, torch.split and torch.chunk (default axis 0). split and
// chunk return views (narrow), so they copy nothing.
import { ConfigError, ShapeError, formatShape } from '../../errors/index.js';
import { normalizeAxis } from '../../shape.js';
import { tidy } from '../../scope.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { defineOp } from '../define-op.js';
import type { AxisAttrs } from '../gather/reference.js';
import { assertSameDType } from '../validate.js';
import { narrow, unsqueeze } from '../views/views.js';

export const concatOp = defineOp<AxisAttrs>({
  name: 'concat',
  infer: (inputs, { axis }) => [{
    shape: inputs[0].shape.map((d, i) => (i === axis ? inputs.reduce((n, t) => n + t.shape[axis], 0) : d)),
    dtype: inputs[0].dtype,
  }],
  gradient: ({ inputs, grads: [g], attrs: { axis } }) => {
    let start = 0;
    return inputs.map((t) => {
      const part = narrow(g!, axis, start, t.shape[axis]);
      start += t.shape[axis];
      return part;
    });
  },
});

/**
 * Checks that `tensors` is a non-empty list of tensors of one dtype whose shapes agree on every
 * axis except `except` (-1: on every axis, and then rank 0 is allowed).
 */
function assertJoinable(op: string, tensors: readonly Tensor[], except: number): void {
  if (tensors.length === 0) throw new ConfigError(op, 'tensors', 'a non-empty list of tensors', 'an empty list');
  const first = tensors[0];
  if (first.rank === 0 && except >= 0) {
    throw new ShapeError('BAD_AXIS', op, 'tensors[0]', 'has no axis', 'tensors of rank >= 1 (unsqueeze scalars first)', formatShape(first.shape));
  }
  tensors.forEach((t, k) => {
    assertSameDType(op, first, t, ['tensors[0]', `tensors[${k}]`]);
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== except && d !== first.shape[i])) {
      const rule = except < 0 ? 'the same shape' : `the same shape except on axis ${except}`;
      throw new ShapeError('SHAPE_MISMATCH', op, `tensors[${k}]`, 'does not match tensors[0]', `${rule} as ${formatShape(first.shape)}`, formatShape(t.shape));
    }
  });
}

/**
 * Joins tensors of one dtype along an existing `axis` (torch.cat); their shapes must agree on
 * every other axis.
 * @example concat([zeros([2, 3]), ones([2, 1])], 1) // (2,4)
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  const a = tensors.length > 0 && tensors[0].rank > 0 ? normalizeAxis(axis, tensors[0].rank, 'concat') : 0;
  assertJoinable('concat', tensors, a);
  return applyOp(concatOp, tensors, { axis: a })[0];
}

/**
 * Joins tensors of one shape and dtype along a new `axis` (torch.stack; axis in [-(rank+1), rank]).
 * @example stack([tensor([1, 2]), tensor([3, 4])], 1) // [[1, 3], [2, 4]]
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  assertJoinable('stack', tensors, -1);
  const a = normalizeAxis(axis, tensors[0].rank + 1, 'stack');
  return tidy(() => concat(tensors.map((t) => unsqueeze(t, a)), a));
}

/** Views of consecutive pieces of `axis` with the given lengths (they sum to the axis size). */
function pieces(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  let start = 0;
  return sizes.map((length) => {
    const part = narrow(x, axis, start, length);
    start += length;
    return part;
  });
}

/**
 * Cuts `x` along `axis` into views (torch.split): with a number, pieces of that size (the last
 * may be smaller; a size-0 axis gives one empty piece); with a list, pieces of those sizes, which
 * must sum to the axis size.
 * @example split(arange(5), 2) // [0, 1], [2, 3], [4]
 */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  if (x.rank === 0) throw new ShapeError('BAD_AXIS', 'split', 'x', 'has no axis to split', 'a tensor of rank >= 1', formatShape(x.shape));
  const a = normalizeAxis(axis, x.rank, 'split');
  const n = x.shape[a];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes < 0 || (sizes === 0 && n > 0)) {
      throw new ConfigError('split', 'sizes', n > 0 ? 'a positive integer piece size' : 'a non-negative integer piece size', String(sizes));
    }
    if (n === 0) return [narrow(x, a, 0, 0)];
    return pieces(x, a, Array.from({ length: Math.ceil(n / sizes) }, (_, i) => Math.min(sizes, n - i * sizes)));
  }
  if (sizes.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ConfigError('split', 'sizes', 'non-negative integer piece sizes', `[${sizes.join(', ')}]`);
  }
  const total = sizes.reduce((s, d) => s + d, 0);
  if (total !== n) {
    throw new ShapeError('SHAPE_MISMATCH', 'split', 'sizes', 'do not add up to the axis size', `sizes summing to ${n} (axis ${a} of ${formatShape(x.shape)})`, `[${sizes.join(', ')}] summing to ${total}`);
  }
  return pieces(x, a, sizes);
}

/**
 * Cuts `x` along `axis` into at most `chunks` views of ceil(n / chunks) entries (torch.chunk: the
 * last may be smaller and fewer pieces may come back; a size-0 axis gives `chunks` empty ones).
 * @example chunk(qkv, 3, -1) // (B, T, 3C) → three (B, T, C)
 */
export function chunk(x: Tensor, chunks: number, axis = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks < 1) throw new ConfigError('chunk', 'chunks', 'a positive integer', String(chunks));
  if (x.rank === 0) throw new ShapeError('BAD_AXIS', 'chunk', 'x', 'has no axis to split', 'a tensor of rank >= 1', formatShape(x.shape));
  const a = normalizeAxis(axis, x.rank, 'chunk');
  const n = x.shape[a];
  if (n === 0) return pieces(x, a, new Array<number>(chunks).fill(0));
  return split(x, Math.ceil(n / chunks), a);
}
