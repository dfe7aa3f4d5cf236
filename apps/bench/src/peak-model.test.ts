// Peak models: the exact quadratic through three points, its verification, the sliding fit that
// skips short lengths whose peak is not yet polynomial, and the longest-n search against brute force.
import { randomGenerator, uniformInt } from '@longshort/tensor/testing';
import { describe, expect, it } from 'vitest';
import { checkPeakModel, fitPeakModel, fitVerified, longestFitting, predictPeak } from './peak-model.js';

describe('fitPeakModel and checkPeakModel', () => {
  it('recovers integer quadratics exactly and predicts far beyond the fitted lengths to the byte', () => {
    const g = randomGenerator(1);
    for (let trial = 0; trial < 50; trial++) {
      const [c0, c1, c2] = [uniformInt(g, 0, 2e6), uniformInt(g, 0, 70_000), 8 * uniformInt(g, 0, 3)];
      const peak = (n: number) => c0 + c1 * n + c2 * n * n;
      const base = 8 * uniformInt(g, 1, 64);
      const model = fitPeakModel([1, 2, 3].map((k) => ({ n: k * base, bytes: peak(k * base) })));
      expect(model.fit_n).toEqual([base, 2 * base, 3 * base]);
      for (const n of [4 * base, 1 << 16, 1 << 20]) {
        expect(Math.abs(predictPeak(model, n) - peak(n))).toBeLessThan(0.5);
      }
      expect(checkPeakModel(model, [{ n: 1 << 18, bytes: peak(1 << 18) }])[0]).toEqual({ n: 1 << 18, bytes: peak(1 << 18), predicted: peak(1 << 18), exact: true });
    }
  });

  it('flags a point one byte off the model and rejects fits without three distinct lengths', () => {
    const model = fitPeakModel([{ n: 1, bytes: 6 }, { n: 2, bytes: 11 }, { n: 3, bytes: 18 }]);
    expect(model.coefficients.map((c) => Math.round(c * 1e9) / 1e9)).toEqual([3, 2, 1]);
    expect(checkPeakModel(model, [{ n: 10, bytes: 124 }, { n: 10, bytes: 123 }]).map((c) => c.exact)).toEqual([false, true]);
    expect(() => fitPeakModel([{ n: 1, bytes: 1 }, { n: 1, bytes: 2 }, { n: 3, bytes: 3 }])).toThrow(/distinct/);
    expect(() => fitPeakModel([{ n: 1, bytes: 1 }, { n: 2, bytes: 2 }])).toThrow(RangeError);
  });
});

describe('fitVerified', () => {
  const lengths = [64, 128, 192, 256, 320, 384, 448, 512];

  it('slides past short lengths where another moment holds the peak, measuring only as far as needed', async () => {
    const asked: number[] = [];
    const fit = await fitVerified(lengths, async (n) => {
      asked.push(n);
      return Math.max(5000, 32 * n + 7);
    });
    expect(fit).not.toBeNull();
    expect(fit!.model.fit_n).toEqual([192, 256, 320]);
    expect(fit!.discarded_n).toEqual([64, 128]);
    expect(fit!.check).toMatchObject({ n: 384, bytes: 32 * 384 + 7, exact: true });
    expect(asked).toEqual([64, 128, 192, 256, 320, 384]);
  });

  it('takes the first window when the peak is quadratic from the start, and gives up on a non-polynomial peak', async () => {
    const quadratic = await fitVerified(lengths, async (n) => 100 + 3 * n + 2 * n * n);
    expect(quadratic!.model.fit_n).toEqual([64, 128, 192]);
    expect(quadratic!.discarded_n).toEqual([]);
    expect(await fitVerified(lengths, async (n) => Math.round(n ** 2.5))).toBeNull();
  });
});

describe('longestFitting', () => {
  it('finds the largest fitting multiple of the step, as a linear scan does', () => {
    const g = randomGenerator(2);
    for (let trial = 0; trial < 200; trial++) {
      const [c0, c1, c2] = [uniformInt(g, 0, 1000), uniformInt(g, 1, 50), uniformInt(g, 0, 2)];
      const peak = (n: number) => c0 + c1 * n + c2 * n * n;
      const step = uniformInt(g, 1, 16);
      const limit = uniformInt(g, 0, 1e6);
      let expected = 0;
      while (peak(expected + step) <= limit) expected += step;
      expect(longestFitting(peak, limit, step)).toBe(expected);
    }
  });

  it('has no upper cap, returns 0 when one step does not fit, and refuses a peak that never reaches the limit', () => {
    expect(longestFitting((n) => 1000 * n, 2 ** 50, 8)).toBe(Math.floor(2 ** 50 / 1000 / 8) * 8);
    expect(longestFitting((n) => 10 * n, 5, 1)).toBe(0);
    expect(longestFitting((n) => n * n, 100, 2)).toBe(10);
    expect(() => longestFitting(() => 1, 2, 4)).toThrow(/never exceeds/);
    expect(() => longestFitting((n) => n, 2, 0)).toThrow(RangeError);
  });
});
