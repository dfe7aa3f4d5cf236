// The timing loop's budget: warm-up runs are untimed; timing stops at maxRuns, or once both
// minRuns and minTimeMs are reached; a slow first (validation) run replaces the warm-up.
import { describe, expect, it } from 'vitest';
import { measure, measureAfterFirstRun } from './measure.js';

const budget = { warmupRuns: 2, minRuns: 3, minTimeMs: 0, maxRuns: 50, slowRunMs: Infinity };

describe('measure', () => {
  it('runs the warm-ups untimed, then minRuns timed runs when the time budget is spent', async () => {
    let calls = 0;
    const times = await measure(async () => calls++, budget);
    expect(calls).toBe(5);
    expect(times).toHaveLength(3);
    expect(times.every((t) => t >= 0)).toBe(true);
  });

  it('keeps running until minTimeMs has passed, but never beyond maxRuns', async () => {
    const sleep = () => new Promise((resolve) => setTimeout(resolve, 5));
    const times = await measure(sleep, { ...budget, warmupRuns: 0, minTimeMs: 30 });
    expect(times.length).toBeGreaterThan(3);
    expect(times.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30);
    expect(await measure(sleep, { ...budget, warmupRuns: 0, minTimeMs: 1e9, maxRuns: 4 })).toHaveLength(4);
  });

  it('counts a first run of at least slowRunMs as the first timed run, without a warm-up', async () => {
    let calls = 0;
    const run = async () => calls++;
    const slow = await measureAfterFirstRun(run, 50, { ...budget, slowRunMs: 50 });
    expect(slow[0]).toBe(50);
    expect(slow).toHaveLength(3);
    expect(calls).toBe(2);
    calls = 0;
    expect(await measureAfterFirstRun(run, 49, { ...budget, slowRunMs: 50 })).not.toContain(49);
    expect(calls).toBe(5);
  });
});
