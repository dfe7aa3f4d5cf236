// The timing loop: warm up, then repeat a run until a time budget is spent (at least `minRuns`
// runs and `minTimeMs` milliseconds, at most `maxRuns` runs), so slow cases stay affordable.
import { performance } from 'node:perf_hooks';

export interface Budget {
  /** Untimed runs before timing (JIT, caches, lazy initialisation). */
  warmupRuns: number;
  minRuns: number;
  minTimeMs: number;
  maxRuns: number;
  /** A first (validation) run at least this long is warm enough to be counted (see the suites). */
  slowRunMs: number;
}

/**
 * Times `run` under `budget` and returns the run times in milliseconds.
 * @example const times = await measure(() => work(), { warmupRuns: 1, minRuns: 3, minTimeMs: 1000, maxRuns: 50, slowRunMs: 10_000 });
 */
export async function measure(run: () => Promise<unknown>, budget: Budget): Promise<number[]> {
  for (let i = 0; i < budget.warmupRuns; i++) await run();
  const times: number[] = [];
  while (wantsMoreRuns(times, budget)) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * Whether a list of run times still wants runs under `budget` (at least minRuns and minTimeMs,
 * at most maxRuns), the rule of measure() and measureInterleaved().
 * @example wantsMoreRuns([900, 950], { warmupRuns: 1, minRuns: 3, minTimeMs: 0, maxRuns: 3, slowRunMs: Infinity }) // true
 */
export function wantsMoreRuns(timesMs: readonly number[], budget: Budget): boolean {
  const spent = timesMs.reduce((total, ms) => total + ms, 0);
  return timesMs.length < budget.maxRuns && (timesMs.length < budget.minRuns || spent < budget.minTimeMs);
}

/**
 * Times one call of `fn` and returns its result with the elapsed milliseconds.
 * @example const { value, ms } = await timed(() => library.run());
 */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/**
 * Times `run` under `budget` after a first (validation) run that took `firstMs`: a first run of at
 * least `budget.slowRunMs` replaces the warm-up and counts as the first timed run.
 * @example const times = await measureAfterFirstRun(run, first.ms, budget);
 */
export async function measureAfterFirstRun(run: () => Promise<unknown>, firstMs: number, budget: Budget): Promise<number[]> {
  // NOTE: a slow first run's one-off costs are a tiny share of it, and counting it saves a long run.
  if (firstMs < budget.slowRunMs) return measure(run, budget);
  return [firstMs, ...(await measure(run, { ...budget, warmupRuns: 0, minRuns: budget.minRuns - 1, maxRuns: budget.maxRuns - 1 }))];
}

/**
 * Times several runs interleaved, one run of each in turn per round, so that drifts of the
 * machine (clocks, other load) touch all alike; each run keeps its own budget count. `firstMs[i]`
 * is run i's first (validation) run: as in measureAfterFirstRun, one of at least
 * `budget.slowRunMs` counts as timed and replaces the warm-up. Returns each run's times.
 * @example const [ours, peer] = await measureInterleaved([runOurs, runPeer], [firstOurs, firstPeer], budget);
 */
export async function measureInterleaved(runs: readonly (() => Promise<unknown>)[], firstMs: readonly number[], budget: Budget): Promise<number[][]> {
  const times = runs.map((_, i) => (firstMs[i] >= budget.slowRunMs ? [firstMs[i]] : []));
  for (let round = 0; round < budget.warmupRuns; round++) {
    for (const [i, run] of runs.entries()) if (times[i].length === 0) await run();
  }
  while (times.some((list) => wantsMoreRuns(list, budget))) {
    for (const [i, run] of runs.entries()) {
      if (!wantsMoreRuns(times[i], budget)) continue;
      const start = performance.now();
      await run();
      times[i].push(performance.now() - start);
    }
  }
  return times;
}
