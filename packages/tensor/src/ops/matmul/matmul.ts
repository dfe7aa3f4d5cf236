// Batched matmul with optionally transposed operands and broadcast batch dimensions:
// a (..., M, K) · b (..., K, N) → (..., M, N); with transposeA a is (..., K, M), with
// transposeB b is (..., N, K). 1-D operands follow NumPy (a vector is promoted, then squeezed).
import type { CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { promoteTypes } from '../../dtype.js';
import { ShapeError, formatShape } from '../../errors/index.js';
import { broadcastShapes, contiguousStrides, sizeOf } from '../../shape.js';
import { tidy } from '../../scope.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { defineOp } from '../define-op.js';
import { sumTo } from '../reduce/reduce.js';
import { reshape } from '../views/views.js';
import { assertDType, assertSameDType } from '../validate.js';

export interface MatmulAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

function dims(a: readonly number[], b: readonly number[], { transposeA, transposeB }: MatmulAttrs) {
  const [m, k] = transposeA ? [a[a.length - 1], a[a.length - 2]] : [a[a.length - 2], a[a.length - 1]];
  const [k2, n] = transposeB ? [b[b.length - 1], b[b.length - 2]] : [b[b.length - 2], b[b.length - 1]];
  return { m, k, k2, n };
}

export const matmulOp = defineOp<MatmulAttrs>({
  name: 'matmul',
  infer: ([a, b], attrs) => {
    const { m, n } = dims(a.shape, b.shape, attrs);
    const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
    return [{ shape: [...batch, m, n], dtype: promoteTypes(a.dtype, b.dtype) }];
  },
  // With op(X) = X or Xᵀ: d op(A) = G · op(B)ᵀ and d op(B) = op(A)ᵀ · G.
  gradient: ({ inputs: [a, b], grads: [g], attrs: { transposeA: tA, transposeB: tB } }) => {
    const ga = tA ? matmul(b, g!, { transposeA: tB, transposeB: true }) : matmul(g!, b, { transposeB: !tB });
    const gb = tB ? matmul(g!, a, { transposeA: true, transposeB: tA }) : matmul(a, g!, { transposeA: !tA });
    return [sumTo(ga, a.shape), sumTo(gb, b.shape)];
  },
});

/** Plain-loop reference with float64 accumulation (i-k-j order, one output row at a time). */
export const matmulReference: CpuKernel<MatmulAttrs> = ([a, b], [out], attrs) => {
  const { m, k, n } = dims(a.shape, b.shape, attrs);
  const batchShape = out.shape.slice(0, -2);
  const batches = sizeOf(batchShape);
  const batchStrides = (shape: readonly number[], matrix: number) => {
    const own = shape.slice(0, -2);
    const strides = contiguousStrides(own).map((s, i) => (own[i] === 1 ? 0 : s * matrix));
    return [...new Array<number>(batchShape.length - own.length).fill(0), ...strides];
  };
  const aStrides = batchStrides(a.shape, m * k);
  const bStrides = batchStrides(b.shape, k * n);
  const outBatch = contiguousStrides(batchShape);
  const [as, am] = attrs.transposeA ? [m, 1] : [1, k]; // stride along k, along m
  const [bs, bn] = attrs.transposeB ? [1, k] : [n, 1]; // stride along k, along n
  const row = new Float64Array(n);
  const x = a.array;
  const y = b.array;
  for (let batch = 0; batch < batches; batch++) {
    let aBase = a.offset;
    let bBase = b.offset;
    let rest = batch;
    for (let d = 0; d < batchShape.length; d++) {
      const idx = Math.floor(rest / outBatch[d]);
      rest -= idx * outBatch[d];
      aBase += idx * aStrides[d];
      bBase += idx * bStrides[d];
    }
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const av = x[aBase + i * am + p * as];
        if (av === 0) continue;
        const bRow = bBase + p * bs;
        for (let j = 0; j < n; j++) row[j] += av * y[bRow + j * bn];
      }
      out.array.set(row, (batch * m + i) * n);
    }
  }
};

/**
 * Matrix product with broadcast batch dimensions.
 * @example matmul(q, k, { transposeB: true }) // (B, H, T, D) · (B, H, T, D)ᵀ → (B, H, T, T)
 */
export function matmul(a: Tensor, b: Tensor, options: Partial<MatmulAttrs> = {}): Tensor {
  const attrs: MatmulAttrs = { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false };
  assertDType('matmul', 'a', a, ['f32', 'f64', 'f16']);
  assertSameDType('matmul', a, b);
  if (a.rank === 0 || b.rank === 0) {
    throw new ShapeError('SHAPE_MISMATCH', 'matmul', 'operands', 'must have at least one dimension', 'rank >= 1', `a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`);
  }
  if (a.rank === 1 || b.rank === 1) {
    return tidy(() => {
      const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]]) : a;
      const b2 = b.rank === 1 ? reshape(b, [b.shape[0], 1]) : b;
      const out = matmul(a2, b2, { transposeA: a.rank === 1 ? false : attrs.transposeA, transposeB: b.rank === 1 ? false : attrs.transposeB });
      const shape = out.shape.slice(0, -2);
      if (a.rank !== 1) shape.push(out.shape[out.rank - 2]);
      if (b.rank !== 1) shape.push(out.shape[out.rank - 1]);
      return reshape(out, shape);
    });
  }
  const { k, k2 } = dims(a.shape, b.shape, attrs);
  if (k !== k2) {
    throw new ShapeError('SHAPE_MISMATCH', 'matmul', 'inner dimensions', 'must match',
      `a's ${attrs.transposeA ? 'shape[-2]' : 'shape[-1]'} == b's ${attrs.transposeB ? 'shape[-1]' : 'shape[-2]'}`, `a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`);
  }
  broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return applyOp(matmulOp, [a, b], attrs)[0];
}
