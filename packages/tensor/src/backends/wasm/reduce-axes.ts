// sum / max over any set of axes in plain loops: the fast CPU backend's path for the reductions
// its wasm kernels do not take (axes that are neither leading nor trailing, e.g. a bias gradient
// summed over batch and time). Same float64 accumulation in the same row-major order as the
// reference kernel, so the results are identical, without a callback per element.
import { contiguousStrides } from '../../shape.js';
import type { CpuView } from '../cpu/cpu-kernel.js';

/** Adjacent axes merged where both are reduced or both kept: [sizes, reduced?]. */
function mergedAxes(shape: readonly number[], axes: readonly number[]): { sizes: number[]; reduced: boolean[] } {
  const sizes: number[] = [];
  const reduced: boolean[] = [];
  shape.forEach((d, i) => {
    const r = axes.includes(i);
    if (d === 1) return; // a size-1 axis changes no index
    if (sizes.length > 0 && reduced[reduced.length - 1] === r) sizes[sizes.length - 1] *= d;
    else {
      sizes.push(d);
      reduced.push(r);
    }
  });
  return { sizes, reduced };
}

/**
 * out = sum or max of the contiguous x over `axes` (keepDims or not: the same element order).
 * @example reduceAxes(x, out, [0, 2], 'sum');
 */
export function reduceAxes(x: CpuView, out: CpuView, axes: readonly number[], kind: 'sum' | 'max'): void {
  const { sizes, reduced } = mergedAxes(x.shape, axes);
  const acc = new Float64Array(out.array.length).fill(kind === 'sum' ? 0 : -Infinity);
  const src = x.array;
  if (sizes.length === 0) {
    if (src.length > 0 && out.array.length > 0) acc[0] = kind === 'sum' ? 0 + src[x.offset] : src[x.offset];
    out.array.set(acc);
    return;
  }
  // (merged axes): the output stride of each, 0 where reduced.
  const keptStrides = contiguousStrides(sizes.map((d, i) => (reduced[i] ? 1 : d))).map((s, i) => (reduced[i] ? 0 : s));
  const rank = sizes.length;
  const inner = sizes[rank - 1];
  const innerStride = keptStrides[rank - 1];
  const outer = sizes.slice(0, rank - 1).reduce((a, b) => a * b, 1);
  const index = new Array<number>(rank - 1).fill(0);
  let from = x.offset;
  let to = 0;
  for (let row = 0; row < outer; row++, from += inner) {
    if (kind === 'sum') {
      for (let j = 0, o = to; j < inner; j++, o += innerStride) acc[o] += src[from + j];
    } else {
      // NOTE: once the accumulator is NaN it stays NaN (`v > NaN` is false), as in the reference.
      for (let j = 0, o = to; j < inner; j++, o += innerStride) {
        const v = src[from + j];
        if (v > acc[o] || Number.isNaN(v)) acc[o] = v;
      }
    }
    for (let axis = rank - 2; axis >= 0; axis--) {
      to += keptStrides[axis];
      if (++index[axis] < sizes[axis]) break;
      to -= keptStrides[axis] * sizes[axis];
      index[axis] = 0;
    }
  }
  out.array.set(acc);
}
