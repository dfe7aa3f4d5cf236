// Row tables for the `*_table` kernels (elementwise.ts): an output of any shape seen as rows of
// `cols` contiguous elements, and for each operand (broadcast to that shape) the element offset of
// each row and its step along a row. Trailing axes are merged while every operand stays regular.
import { broadcastStrides, type CpuView } from '../cpu/cpu-kernel.js';

export interface RowTable {
  readonly rows: number;
  readonly cols: number;
  /** Each operand's element step along a row (0 for a broadcast). */
  readonly steps: readonly number[];
  /** offsets[r · K + k]: operand k's element offset (view offset included) of row r. */
  readonly offsets: Int32Array;
}

/**
 * The row table of `views` broadcast to `shape` (every view at least rank 0; shape non-empty in size).
 * @example rowTable([2, 3], [a, b]) // rows 2, cols 3 when both are contiguous (2, 3) tensors
 */
export function rowTable(shape: readonly number[], views: readonly CpuView[]): RowTable {
  const strides = views.map((v) => broadcastStrides(v, shape));
  const rank = shape.length;
  let cols = rank === 0 ? 1 : shape[rank - 1];
  let split = rank - 1;
  // Merge axis split − 1 into the row while every operand steps over it regularly.
  while (split > 0 && (shape[split - 1] === 1 || strides.every((s) => s[split - 1] === s[rank - 1] * cols))) {
    cols *= shape[split - 1];
    split--;
  }
  const outer = shape.slice(0, Math.max(split, 0));
  const rows = outer.reduce((p, d) => p * d, 1);
  const K = views.length;
  const offsets = new Int32Array(rows * K);
  const index = new Array<number>(outer.length).fill(0);
  const current = views.map((v) => v.offset);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) offsets[r * K + k] = current[k];
    // Odometer over the outer axes, last fastest.
    for (let axis = outer.length - 1; axis >= 0; axis--) {
      index[axis]++;
      for (let k = 0; k < K; k++) current[k] += strides[k][axis];
      if (index[axis] < outer[axis]) break;
      for (let k = 0; k < K; k++) current[k] -= strides[k][axis] * outer[axis];
      index[axis] = 0;
    }
  }
  return { rows, cols, steps: strides.map((s) => (rank === 0 ? 0 : s[rank - 1])), offsets };
}
