// Online softmax over tiles of keys for one query row (Milakov & Gimelshein 2018; FlashAttention-2,
// Dao 2023, Alg. 1): a running max and a running sum rescale a float64 accumulator of d values,
// so a fused kernel holds at most one tile of scores per query, never a row of the score matrix.

/** The float arrays the fused CPU kernels read and write (f32 tensors, or f64 ones in gradient checks). */
export type FloatArray = Float32Array | Float64Array;

/**
 * The elements of a contiguous input view from its first one (views may start at an offset into their storage).
 * @example const q = elementsOf<FloatArray>(inputs[0]);
 */
export function elementsOf<T extends FloatArray | Uint8Array>(view: { readonly array: ArrayLike<number>; readonly offset: number }): T {
  return (view.array as T).subarray(view.offset) as T;
}

/** Keys scored per tile before they are folded into the accumulator. */
const keyTile = 64;

/** Running softmax state of one query: Σ_j exp(s_j − max) · value_j and Σ_j exp(s_j − max). */
export class OnlineSoftmax {
  max = -Infinity;
  sum = 0;
  /** Unnormalised output row, float64. */
  readonly acc: Float64Array;
  private readonly scores = new Float64Array(keyTile);
  private readonly rows = new Int32Array(keyTile);
  private count = 0;
  private values: FloatArray | null = null;

  constructor(readonly d: number) {
    this.acc = new Float64Array(d);
  }

  reset(): void {
    this.max = -Infinity;
    this.sum = 0;
    this.acc.fill(0);
    this.count = 0;
  }

  /** Adds one key's score; its value row starts at `values[row]`. Keys from one source share `values`. */
  push(score: number, values: FloatArray, row: number): void {
    if (this.count === keyTile || (this.count > 0 && values !== this.values)) this.fold();
    this.values = values;
    this.scores[this.count] = score;
    this.rows[this.count++] = row;
  }

  /** Folds the pending tile into the accumulator. */
  fold(): void {
    const { scores, rows, acc, d } = this;
    const values = this.values!;
    const count = this.count;
    this.count = 0;
    let tileMax = -Infinity;
    for (let t = 0; t < count; t++) if (scores[t] > tileMax) tileMax = scores[t];
    if (tileMax > this.max) {
      // NOTE: exp(−∞ − m) = 0 clears the empty state's (already zero) sum and accumulator.
      const rescale = Math.exp(this.max - tileMax);
      this.sum *= rescale;
      for (let c = 0; c < d; c++) acc[c] *= rescale;
      this.max = tileMax;
    }
    const max = this.max;
    for (let t = 0; t < count; t++) {
      const p = Math.exp(scores[t] - max);
      this.sum += p;
      const row = rows[t];
      for (let c = 0; c < d; c++) acc[c] += p * values[row + c];
    }
  }

  /** Writes acc / sum to `out[at …]` and returns the row's logsumexp (max + log sum). */
  finish(out: FloatArray, at: number): number {
    if (this.count > 0) this.fold();
    const inv = 1 / this.sum;
    for (let c = 0; c < this.d; c++) out[at + c] = this.acc[c] * inv;
    return this.max + Math.log(this.sum);
  }
}

/** Σ_c a[ai + c] · b[bi + c] in float64. */
export function dot(a: FloatArray, ai: number, b: FloatArray, bi: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += a[ai + c] * b[bi + c];
  return s;
}

/** acc[ai + c] += scale · x[xi + c] for c < d. */
export function axpy(acc: Float64Array, ai: number, scale: number, x: FloatArray, xi: number, d: number): void {
  for (let c = 0; c < d; c++) acc[ai + c] += scale * x[xi + c];
}
