// Sinusoidal embedding of the autoregressive model (spec B.7): inv_freq[k] = 1/10000^(2k/D),
// PE(p) = [sin(p·inv_freq) for all k, cos(p·inv_freq) for all k] (sines first, not interleaved).
import { fromArray, type Backend, type Tensor } from '@longshort/tensor';

/** PE of each position in `positions` → (positions.length, D). */
export function sinusoid(positions: readonly number[], dim: number, backend?: Backend): Tensor {
  const half = dim / 2;
  const values = new Float32Array(positions.length * dim);
  positions.forEach((p, row) => {
    for (let k = 0; k < half; k++) {
      const angle = p / Math.pow(10000, (2 * k) / dim);
      values[row * dim + k] = Math.sin(angle);
      values[row * dim + half + k] = Math.cos(angle);
    }
  });
  return fromArray(values, [positions.length, dim], 'f32', backend);
}

/** Descending positions n−1, …, 0 (window slot j ↔ distance n−1−j). */
export function descending(n: number): number[] {
  return Array.from({ length: n }, (_, i) => n - 1 - i);
}
