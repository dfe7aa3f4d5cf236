// Plain float64 host references for op tests: NumPy broadcasting, index (un)ravelling, axis
// reductions, permutations and matrix products over row-major arrays. Written with nested index
// arithmetic only (no kernel code, no strides machinery), so tests compare against something
// independent of the CPU backend.

/** Number of elements of `shape`. */
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * The NumPy broadcast of two shapes, or null when they do not broadcast.
 * @example numpyBroadcast([2, 1], [3]) // [2, 3]
 */
export function numpyBroadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/**
 * The multi-index of flat row-major position `flat` in `shape`.
 * @example unravel(5, [2, 3]) // [1, 2]
 */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    index[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return index;
}

/**
 * The flat row-major position of `index` in `shape`.
 * @example ravel([1, 2], [2, 3]) // 5
 */
export function ravel(index: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + index[i];
  return flat;
}

/**
 * The value of a broadcast operand at multi-index `outIndex` of the broadcast result.
 * @example broadcastRead([1, 2], [2], [0, 1]) // 2
 */
export function broadcastRead(values: ArrayLike<number>, shape: readonly number[], outIndex: readonly number[]): number {
  const lead = outIndex.length - shape.length;
  return values[ravel(shape.map((d, i) => (d === 1 ? 0 : outIndex[lead + i])), shape)];
}

/**
 * f applied elementwise over broadcast operands (float64).
 * @example elementwiseReference([[1, 2], [10]], [[2], [1]], (a, b) => a + b) // { shape: [2], values: [11, 12] }
 */
export function elementwiseReference(values: readonly ArrayLike<number>[], shapes: readonly (readonly number[])[], f: (...xs: number[]) => number): { shape: number[]; values: Float64Array } {
  let shape: number[] = [];
  for (const s of shapes) {
    const next = numpyBroadcast(shape, s);
    if (!next) throw new Error(`elementwiseReference: shapes do not broadcast: ${JSON.stringify(shapes)}`);
    shape = next;
  }
  const out = new Float64Array(count(shape));
  for (let i = 0; i < out.length; i++) {
    const index = unravel(i, shape);
    out[i] = f(...values.map((v, k) => broadcastRead(v, shapes[k], index)));
  }
  return { shape, values: out };
}

/**
 * Folds `values` over `axes` (init, combine), giving the keepDims-shaped result.
 * @example reduceReference([1, 2, 3, 4], [2, 2], [1], 0, (a, v) => a + v) // { shape: [2, 1], values: [3, 7] }
 */
export function reduceReference(values: ArrayLike<number>, shape: readonly number[], axes: readonly number[], init: number, combine: (acc: number, v: number) => number): { shape: number[]; values: Float64Array } {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(count(outShape)).fill(init);
  for (let i = 0; i < values.length; i++) {
    const index = unravel(i, shape).map((v, k) => (axes.includes(k) ? 0 : v));
    const o = ravel(index, outShape);
    out[o] = combine(out[o], values[i]);
  }
  return { shape: outShape, values: out };
}

/**
 * The values of `x` with its axes reordered (out axis i = input axis axes[i]).
 * @example permuteReference([1, 2, 3, 4, 5, 6], [2, 3], [1, 0]) // [1, 4, 2, 5, 3, 6]
 */
export function permuteReference(values: ArrayLike<number>, shape: readonly number[], axes: readonly number[]): Float64Array {
  const outShape = axes.map((a) => shape[a]);
  const out = new Float64Array(values.length);
  for (let i = 0; i < out.length; i++) {
    const outIndex = unravel(i, outShape);
    const inIndex = new Array<number>(shape.length);
    axes.forEach((a, k) => { inIndex[a] = outIndex[k]; });
    out[i] = values[ravel(inIndex, shape)];
  }
  return out;
}

/**
 * Batched matrix product with NumPy batch broadcasting: (..., m, k) · (..., k, n), float64.
 * @example matmulReference([1, 2], [1, 2], [3, 4], [2, 1]) // { shape: [1, 1], values: [11] }
 */
export function matmulReference(a: ArrayLike<number>, aShape: readonly number[], b: ArrayLike<number>, bShape: readonly number[]): { shape: number[]; values: Float64Array } {
  const [m, k] = aShape.slice(-2);
  const n = bShape[bShape.length - 1];
  const batch = numpyBroadcast(aShape.slice(0, -2), bShape.slice(0, -2));
  if (!batch) throw new Error('matmulReference: batch shapes do not broadcast');
  const shape = [...batch, m, n];
  const out = new Float64Array(count(shape));
  for (let flat = 0; flat < out.length; flat++) {
    const index = unravel(flat, shape);
    const [i, j] = index.slice(-2);
    const bi = index.slice(0, -2);
    let acc = 0;
    for (let p = 0; p < k; p++) {
      acc += broadcastRead(a, aShape, [...bi, i, p]) * broadcastRead(b, bShape, [...bi, p, j]);
    }
    out[flat] = acc;
  }
  return { shape, values: out };
}
