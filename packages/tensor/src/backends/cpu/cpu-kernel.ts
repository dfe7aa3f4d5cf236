// The CPU kernel contract: kernels get host typed arrays with strided layouts (element units).
import type { TensorView } from '../../backend/spec.js';
import type { AnyTypedArray } from '../../dtype.js';

/** CPU storage: a host typed array. */
export interface CpuData {
  readonly array: AnyTypedArray;
}

export interface CpuView extends TensorView {
  readonly array: AnyTypedArray;
}

export type CpuKernel<A extends object = object> = (inputs: readonly CpuView[], outputs: readonly CpuView[], attrs: A) => void;

export interface CpuKernelEntry<A extends object = object> {
  readonly kernel: CpuKernel<A>;
  /** Accepts inputs of any strides (elementwise kernels); otherwise inputs arrive contiguous. */
  readonly strided?: boolean;
}

/**
 * Calls `fn(outIndex, ...inputOffsets)` for every element of `shape` in row-major order, where
 * each input offset follows that input's strides (0 strides broadcast).
 */
export function forEachStrided(shape: readonly number[], inputs: readonly { strides: readonly number[]; offset: number }[],
  fn: (i: number, offsets: Int32Array | number[]) => void): void {
  const rank = shape.length;
  let size = 1;
  for (const d of shape) size *= d;
  if (size === 0) return;
  const offsets = inputs.map((v) => v.offset);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < size; i++) {
    fn(i, offsets);
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      for (let k = 0; k < inputs.length; k++) offsets[k] += inputs[k].strides[axis];
      if (index[axis] < shape[axis]) break;
      for (let k = 0; k < inputs.length; k++) offsets[k] -= inputs[k].strides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
}

/** Strides of `view` broadcast to `shape` (right-aligned; size-1 and missing axes get stride 0). */
export function broadcastStrides(view: TensorView, shape: readonly number[]): number[] {
  const lead = shape.length - view.shape.length;
  return shape.map((_, axis) => {
    const j = axis - lead;
    return j < 0 || view.shape[j] === 1 ? 0 : view.strides[j];
  });
}
