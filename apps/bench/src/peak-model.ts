// Peak-memory models for the longest-sequence search: for a fixed configuration the peak bytes of
// a run are a polynomial of degree ≤ 2 in the sequence length n (every tensor is O(1), O(n) or
// O(n²) elements) once n is large enough that the same moment of the run holds the peak, so three
// measured points determine it exactly and further points verify it. The longest n under a byte
// limit is then found on the model: doubling, then bisection.

/** A measured peak: `bytes` at sequence length `n`. */
export interface PeakPoint {
  n: number;
  bytes: number;
}

/** peak(n) = c0 + c1·n + c2·n², fitted exactly through three points. */
export interface PeakModel {
  coefficients: [c0: number, c1: number, c2: number];
  /** The sequence lengths it was fitted on. */
  fit_n: number[];
}

/** A measured point compared with the model; `exact` when they agree to the byte. */
export interface PeakCheck extends PeakPoint {
  predicted: number;
  exact: boolean;
}

/**
 * The quadratic through three points with distinct n (Newton's divided differences).
 * @example fitPeakModel([{ n: 1, bytes: 6 }, { n: 2, bytes: 11 }, { n: 3, bytes: 18 }]).coefficients // [3, 2, 1]
 */
export function fitPeakModel(points: readonly PeakPoint[]): PeakModel {
  if (points.length !== 3 || new Set(points.map((p) => p.n)).size !== 3) {
    throw new RangeError(`fitPeakModel: points must be 3 with distinct n; expected 3 distinct lengths, got n = [${points.map((p) => p.n).join(', ')}].`);
  }
  const [a, b, c] = points;
  const slopeAB = (b.bytes - a.bytes) / (b.n - a.n);
  const slopeBC = (c.bytes - b.bytes) / (c.n - b.n);
  const curvature = (slopeBC - slopeAB) / (c.n - a.n);
  // Expanding a.bytes + slopeAB·(n − a.n) + curvature·(n − a.n)(n − b.n) into powers of n.
  const coefficients: PeakModel['coefficients'] = [
    a.bytes - slopeAB * a.n + curvature * a.n * b.n,
    slopeAB - curvature * (a.n + b.n),
    curvature,
  ];
  return { coefficients, fit_n: points.map((p) => p.n) };
}

/**
 * The model's peak bytes at length n.
 * @example predictPeak({ coefficients: [3, 2, 1], fit_n: [1, 2, 3] }, 4) // 27
 */
export function predictPeak({ coefficients: [c0, c1, c2] }: PeakModel, n: number): number {
  return c0 + n * (c1 + n * c2);
}

/**
 * Compares measured points with the model; a point is exact when they differ by under half a byte.
 * @example checkPeakModel(model, [{ n: 4096, bytes: 123456 }])[0].exact
 */
export function checkPeakModel(model: PeakModel, points: readonly PeakPoint[]): PeakCheck[] {
  return points.map(({ n, bytes }) => {
    const predicted = predictPeak(model, n);
    // NOTE: the coefficients are rationals held in float64; at the sizes searched the rounding error
    // stays far below a byte, so "exact" is a half-byte tolerance.
    return { n, bytes, predicted: Math.round(predicted), exact: Math.abs(predicted - bytes) < 0.5 };
  });
}

/** A model fitted on three consecutive lengths and verified exactly on the next one. */
export interface VerifiedFit {
  model: PeakModel;
  check: PeakCheck;
  /** Shorter lengths measured and left out: the peak there is not yet on the polynomial. */
  discarded_n: number[];
}

/**
 * Fits on lengths[i..i+2] and checks lengths[i+3], from i = 0 upward until the check is exact (at
 * small n another moment of the run, e.g. holding the parameter gradients, may hold the peak).
 * `peakAt` is called once per length, in increasing order, only as far as needed; null when no
 * window of four lengths verifies.
 * @example await fitVerified([64, 128, 192, 256, 320, 384], async (n) => Math.max(5000, 32 * n)) // fitted on 192, 256, 320
 */
export async function fitVerified(lengths: readonly number[], peakAt: (n: number) => Promise<number>): Promise<VerifiedFit | null> {
  const points: PeakPoint[] = [];
  for (const n of lengths) {
    points.push({ n, bytes: await peakAt(n) });
    if (points.length < 4) continue;
    const start = points.length - 4;
    const model = fitPeakModel(points.slice(start, start + 3));
    const [check] = checkPeakModel(model, [points[start + 3]]);
    if (check.exact) return { model, check, discarded_n: points.slice(0, start).map((p) => p.n) };
  }
  return null;
}

/**
 * The largest multiple of `step` whose `peak` is at most `limit` (0 when even `step` exceeds it):
 * doubles n from `step` until the limit is passed, with no upper cap, then bisects. `peak` must be
 * non-decreasing in n; a RangeError is thrown if it stays under the limit beyond 2^53.
 * @example longestFitting((n) => n * n, 100, 2) // 10
 */
export function longestFitting(peak: (n: number) => number, limit: number, step: number): number {
  if (!Number.isSafeInteger(step) || step < 1) throw new RangeError(`longestFitting: step must be a positive integer; expected ≥ 1, got ${step}.`);
  if (peak(step) > limit) return 0;
  let low = step;
  let high = 2 * step;
  while (peak(high) <= limit) {
    low = high;
    high *= 2;
    if (!Number.isSafeInteger(high)) throw new RangeError(`longestFitting: peak never exceeds the limit; expected it above ${limit} at some n, got ≤ at n = ${low}.`);
  }
  // Invariant: peak(low) ≤ limit < peak(high), both multiples of step.
  while (high - low > step) {
    const middle = low + Math.floor((high - low) / step / 2) * step;
    if (peak(middle) <= limit) low = middle;
    else high = middle;
  }
  return low;
}
