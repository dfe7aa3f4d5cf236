// matmul: batched, with transposes and broadcast batch axes, on strided operands (no copies for
// transposed or expanded views). Two variants of one WGSL: vec4 loads of b and vec4 stores where
// b is contiguous along N and everything is 4-aligned (f32), scalar loads and stores otherwise.
import { CapabilityError, sizeOf, type AttrsOf } from '@longshort/tensor';
import { defineWebGPUKernel } from '../../kernel.js';
import { assertRank, broadcastStrides, coalesce } from '../../layout.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { wgslHeader } from '../elementwise.js';
import matmulWgsl from './matmul.wgsl';

const scalarVariant = `@group(0) @binding(1) var<storage, read> b: array<B>;
@group(0) @binding(2) var<storage, read_write> y: array<Y>;
fn load_b(columns: vec4<u32>, k_offset: u32) -> vec4<f32> {
  return vec4<f32>(f32(b[columns.x + k_offset]), f32(b[columns.y + k_offset]), f32(b[columns.z + k_offset]), f32(b[columns.w + k_offset]));
}
fn store_row(offset: u32, columns_left: u32, value: vec4<f32>) {
  for (var j = 0u; j < min(columns_left, 4u); j++) {
    y[offset + j] = Y(value[j]);
  }
}`;

// Requires b's N stride = 1, and its offsets, K stride and N divisible by 4.
const vec4Variant = `@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;
fn load_b(columns: vec4<u32>, k_offset: u32) -> vec4<f32> {
  return b[(columns.x + k_offset) / 4u];
}
fn store_row(offset: u32, columns_left: u32, value: vec4<f32>) {
  y[offset / 4u] = value;
}`;

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
    const vec4 = y.dtype === 'f32' && b.dtype === 'f32' && n % 4 === 0
      && (bCol === 1 || k === 0) && bRow % 4 === 0 && b.offset % 4 === 0 && batch.strides[1].every((s) => s % 4 === 0);
    const header = wgslHeader({ A: a.dtype, B: b.dtype, Y: y.dtype }, vec4 ? vec4Variant : scalarVariant);
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
