// The timing loop's budget: warm-up runs are untimed; timing stops at maxRuns, or once both
// minRuns and minTimeMs are reached; a slow first (validation) run replaces the warm-up.
import { describe, expect, it } from 'vitest';
import { measure, measureAfterFirstRun, measureInterleaved } from './measure.js';

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

describe('measureInterleaved', () => {
  it('alternates the runs round by round, warming up each first, until each has its minRuns', async () => {
    const calls: string[] = [];
    const runs = ['a', 'b', 'c'].map((name) => async () => calls.push(name));
    const times = await measureInterleaved(runs, [1, 1, 1], { ...budget, warmupRuns: 1 });
    expect(calls.join('')).toBe('abc'.repeat(4));
    expect(times.map((t) => t.length)).toEqual([3, 3, 3]);
  });

  it('keeps a budget per run: a slow first run counts as timed, a slow run stops at minRuns while a fast one goes on', async () => {
    const calls: string[] = [];
    const sleep = (name: string, ms: number) => async () => {
      calls.push(name);
      await new Promise((resolve) => setTimeout(resolve, ms));
    };
    const times = await measureInterleaved([sleep('fast', 1), sleep('slow', 25)], [1, 60], { ...budget, warmupRuns: 1, minTimeMs: 50, slowRunMs: 50 });
    expect(times[1][0]).toBe(60);
    expect(times[1]).toHaveLength(3);
    expect(times[0].length).toBeGreaterThan(3);
    expect(times[0].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(50);
    // The slow run had no warm-up: its first call is the first timed round's.
    expect(calls.slice(0, 3)).toEqual(['fast', 'fast', 'slow']);
    expect(calls.filter((name) => name === 'slow')).toHaveLength(2);
  });
});
