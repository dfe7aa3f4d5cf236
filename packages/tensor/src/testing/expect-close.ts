// Closeness checks with llm.c's combined rule |got − ref| ≤ atol + rtol·|ref|; failures show the
// first mismatches with their indices, both values and the largest difference.

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

export interface CloseReport {
  ok: boolean;
  maxAbsDiff: number;
  /** max|got − ref| / max|ref| (the fixtures' relative error). */
  maxRelError: number;
  message: string;
}

/** Compares two arrays elementwise; NaN equals NaN, infinities must match exactly. */
export function compareClose(got: ArrayLike<number>, ref: ArrayLike<number>, { atol = 1e-6, rtol = 1e-5 }: Tolerance = {}): CloseReport {
  if (got.length !== ref.length) {
    return { ok: false, maxAbsDiff: Infinity, maxRelError: Infinity, message: `length mismatch: got ${got.length}, expected ${ref.length}` };
  }
  const bad: string[] = [];
  let maxAbsDiff = 0;
  let maxRef = 0;
  let failures = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const r = ref[i];
    if (Number.isNaN(g) && Number.isNaN(r)) continue;
    if (Number.isFinite(r)) maxRef = Math.max(maxRef, Math.abs(r));
    const diff = g === r ? 0 : Math.abs(g - r);
    if (Number.isFinite(diff)) maxAbsDiff = Math.max(maxAbsDiff, diff);
    if (!(diff <= atol + rtol * Math.abs(r))) {
      failures++;
      if (bad.length < 10) bad.push(`  [${i}] got ${g}, expected ${r} (diff ${diff})`);
    }
  }
  const maxRelError = maxRef === 0 ? maxAbsDiff : maxAbsDiff / maxRef;
  const message = failures === 0 ? 'ok'
    : `${failures} of ${got.length} values differ (atol ${atol}, rtol ${rtol}; max abs diff ${maxAbsDiff}):\n${bad.join('\n')}`;
  return { ok: failures === 0, maxAbsDiff, maxRelError, message };
}

/** Throws with a readable report when `got` and `ref` are not close. */
export function expectClose(got: ArrayLike<number>, ref: ArrayLike<number>, tolerance: Tolerance = {}, label = 'values'): void {
  const report = compareClose(got, ref, tolerance);
  if (!report.ok) throw new Error(`${label}: ${report.message}`);
}

/** The fixtures' relative error: max|a − b| / max|b|. */
export function relativeError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
