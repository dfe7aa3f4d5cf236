// matmul: batched, with transposes and broadcast batch axes, on strided operands (no copies for
// transposed or expanded views). M = 1 or N = 1 takes the matrix-vector kernel (matvec.ts); other
// shapes the register-tiled one, in the vec4 or scalar variant of variants.ts.
import { CapabilityError, sizeOf, type AttrsOf } from '@longshort/tensor';
import { defineWebGPUKernel } from '../../kernel.js';
import { assertRank, broadcastStrides, coalesce } from '../../layout.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import matmulWgsl from './matmul.wgsl';
import { dispatchMatvec } from './matvec.js';
import { matmulHeader, vec4Applies } from './variants.js';

/** Tile edge of one workgroup (8 invocations × 4 outputs). */
const tile = 32;

export const matmulKernel = defineWebGPUKernel<AttrsOf<'matmul'>>('matmul', {
  strided: true,
  run(context, [a, b], [y], { transposeA, transposeB }) {
    const rank = y.shape.length;
    const [m, n] = [y.shape[rank - 2], y.shape[rank - 1]];
    const k = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    const last = (strides: readonly number[], i: number) => strides[strides.length - i];
    // (M, K) strides of op(a) and (K, N) strides of op(b).
    const [aRow, aCol] = transposeA ? [last(a.strides, 1), last(a.strides, 2)] : [last(a.strides, 2), last(a.strides, 1)];
    const [bRow, bCol] = transposeB ? [last(b.strides, 1), last(b.strides, 2)] : [last(b.strides, 2), last(b.strides, 1)];
    const batchShape = y.shape.slice(0, -2);
    const batchOf = (v: typeof a) => broadcastStrides({ ...v, shape: v.shape.slice(0, -2), strides: v.strides.slice(0, -2) }, batchShape);
    const batch = coalesce(batchShape, [batchOf(a), batchOf(b)]);
    assertRank(batch.shape.length, 'matmul');
    const batches = sizeOf(batchShape);
    if (m === 0 || n === 0 || batches === 0) return;
    const [aSide, bSide] = [{ view: a, batchStrides: batch.strides[0] }, { view: b, batchStrides: batch.strides[1] }];
    if (m === 1) {
      // y[0, j] = Σ_k a[0, k] · b[k, j]: the vector is a's row, w[j, k] = b[k, j].
      dispatchMatvec(context, { x: aSide, w: bSide, y, xStep: aCol, wOut: bCol, wK: bRow, length: n, k, batchShape: batch.shape, batches });
      return;
    }
    if (n === 1) {
      // y[i, 0] = Σ_k a[i, k] · b[k, 0]: the vector is b's column, w = a.
      dispatchMatvec(context, { x: bSide, w: aSide, y, xStep: bRow, wOut: aRow, wK: aCol, length: m, k, batchShape: batch.shape, batches });
      return;
    }
    const vec4 = vec4Applies({ b: b.dtype, y: y.dtype, length: n, k, outStride: bCol, kStride: bRow, offset: b.offset, batchStrides: batch.strides[1] });
    const header = matmulHeader({ A: a.dtype, B: b.dtype, Y: y.dtype }, vec4);
    const program = {
      label: 'matmul',
      key: `${a.dtype},${b.dtype}>${y.dtype}|${vec4 ? 'vec4' : 'scalar'}`,
      code: () => linkWgsl(header, snippets.index, matmulWgsl),
      constants: { BATCH_RANK: batch.shape.length },
    };
    const maxBatches = context.maxWorkgroupsPerDimension;
    if (Math.ceil(Math.max(m, n) / tile) > maxBatches) {
      throw new CapabilityError('LIMIT_TOO_LOW', 'matmul', `an output of ${m}×${n} needs more than ${maxBatches} workgroups along one axis.`,
        { limit: 'maxComputeWorkgroupsPerDimension', actual: maxBatches, required: Math.ceil(Math.max(m, n) / tile) });
    }
    for (let start = 0; start < batches; start += maxBatches) {
      context.dispatch(program, [a.data.buffer, b.data.buffer, y.data.buffer], {
        m, n, k, batch_start: start, offset_a: a.offset, offset_b: b.offset,
        a_row: aRow, a_col: aCol, b_row: bRow, b_col: bCol,
        batch_shape: batch.shape, a_batch_strides: batch.strides[0], b_batch_strides: batch.strides[1],
      }, [Math.ceil(n / tile), Math.ceil(m / tile), Math.min(maxBatches, batches - start)]);
    }
  },
});
