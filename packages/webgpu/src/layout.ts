// Layout helpers for kernel glue: broadcast strides, merging of axes that several strided operands
// traverse together (fewer axes → less index math and fewer pipeline variants), the rank limit of
// the Params arrays, and folding large grids into 2-D.
import { CapabilityError, type TensorView } from '@longshort/tensor';

/** Axes a Params shape/stride list holds (array<vec4<u32>, 2> in WGSL). */
export const maxRank = 8;

/** Strides of `view` broadcast to `shape` (right-aligned; size-1 and missing axes get stride 0). */
export function broadcastStrides(view: TensorView, shape: readonly number[]): number[] {
  const lead = shape.length - view.shape.length;
  return shape.map((_, axis) => {
    const j = axis - lead;
    return j < 0 || view.shape[j] === 1 ? 0 : view.strides[j];
  });
}

export interface Coalesced {
  readonly shape: number[];
  /** One stride list per operand, over the merged axes. */
  readonly strides: number[][];
}

/**
 * Drops size-1 axes and merges neighbours that every operand steps through as one
 * (stride[i] = stride[i+1] · shape[i+1]); the row-major order of elements is unchanged.
 * @example coalesce([2, 3], [[3, 1]]) // { shape: [6], strides: [[1]] }
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Coalesced {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  shape.forEach((extent, axis) => {
    if (extent === 1) return;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[axis] * extent)) {
      outShape[last] *= extent;
      strides.forEach((s, k) => { outStrides[k][last] = s[axis]; });
      return;
    }
    outShape.push(extent);
    strides.forEach((s, k) => outStrides[k].push(s[axis]));
  });
  return { shape: outShape, strides: outStrides };
}

/** Throws when `rank` axes do not fit the Params arrays. */
export function assertRank(rank: number, kernel: string): void {
  if (rank > maxRank) {
    throw new CapabilityError('LIMIT_TOO_LOW', kernel,
      `layout has too many axes after merging; expected at most ${maxRank}, got ${rank}.\nHint: reshape or make the tensor contiguous first.`,
      { limit: 'rank', actual: maxRank, required: rank });
  }
}

/**
 * A grid of `count` workgroups as [x, y, 1] with x, y ≤ `maxPerDimension` (kernels recover the
 * flat index as x + y · num_workgroups.x and skip the excess).
 * @example foldGrid(70000, 65535) // [35000, 2, 1]
 */
export function foldGrid(count: number, maxPerDimension: number, kernel: string): [number, number, number] {
  if (count <= maxPerDimension) return [count, 1, 1];
  const y = Math.ceil(count / maxPerDimension);
  if (y > maxPerDimension) {
    throw new CapabilityError('LIMIT_TOO_LOW', kernel,
      `needs ${count} workgroups; expected at most ${maxPerDimension}² (maxComputeWorkgroupsPerDimension squared), got more.`,
      { limit: 'maxComputeWorkgroupsPerDimension', actual: maxPerDimension, required: y });
  }
  return [Math.ceil(count / y), y, 1];
}

/** The smallest power of two ≥ n (n ≥ 1). */
export function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}
