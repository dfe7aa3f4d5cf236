// The two load/store variants shared by the matmul kernels (tiled and matrix-vector): vec4 loads
// of the matrix operand `b` and vec4 stores where its output axis is contiguous and everything is
// 4-aligned (f32), scalar loads and stores otherwise.
import type { GpuDType } from '../../dtypes.js';
import { wgslHeader } from '../elementwise.js';

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

// Requires b's output-axis stride = 1, and its offsets, K stride and output length divisible by 4.
const vec4Variant = `@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f32>>;
fn load_b(columns: vec4<u32>, k_offset: u32) -> vec4<f32> {
  return b[(columns.x + k_offset) / 4u];
}
fn store_row(offset: u32, columns_left: u32, value: vec4<f32>) {
  y[offset / 4u] = value;
}`;

/**
 * The WGSL header of a matmul kernel: aliases A, B, Y, bindings 1 (b) and 2 (y), and the
 * variant's `load_b(columns, k_offset)` and `store_row(offset, columns_left, value)`.
 * @example matmulHeader({ A: 'f32', B: 'f32', Y: 'f32' }, true)
 */
export function matmulHeader(aliases: { readonly A: GpuDType; readonly B: GpuDType; readonly Y: GpuDType }, vec4: boolean): string {
  return wgslHeader(aliases, vec4 ? vec4Variant : scalarVariant);
}

/**
 * Whether the vec4 variant applies: f32 b and y, b contiguous along the output axis (stride
 * `outStride` = 1, or K = 0), and its K stride, offset, batch strides and the output length
 * (`length`) divisible by 4.
 * @example vec4Applies({ b, y, length: n, k, outStride: bCol, kStride: bRow, batchStrides })
 */
export function vec4Applies({ b, y, length, k, outStride, kStride, offset, batchStrides }: {
  readonly b: GpuDType; readonly y: GpuDType; readonly length: number; readonly k: number;
  readonly outStride: number; readonly kStride: number; readonly offset: number; readonly batchStrides: readonly number[];
}): boolean {
  return y === 'f32' && b === 'f32' && length % 4 === 0 && (outStride === 1 || k === 0)
    && kStride % 4 === 0 && offset % 4 === 0 && batchStrides.every((s) => s % 4 === 0);
}
