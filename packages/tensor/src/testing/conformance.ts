// The backend conformance suite (architecture guide B.4, B.8: the CPU reference is the oracle,
// every other backend is tested against it). Each OpCase runs on the backend under test and on a
// fresh CPU reference backend with identical inputs; outputs and input gradients are compared
// with the guide's tolerances, and a case that leaks tensors on the backend fails too.
import type { Backend } from '../backend/spec.js';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { isFloat, type DType } from '../dtype.js';
import { formatShape } from '../errors/index.js';
import { fromArray, mul, sum } from '../index.js';
import { memoryOf } from '../memory.js';
import { tidy } from '../scope.js';
import { shapesEqual } from '../shape.js';
import { randomGenerator, randomValues, seedFor } from './arbitraries.js';
import { compareClose, type Tolerance } from './expect-close.js';
import { gradientToleranceFactor, opCases, tolerances, type CaseInput, type OpCase } from './op-cases.js';

export interface ConformanceOptions {
  /** Which cases run: a name prefix (`'matmul'` selects `matmul` and `matmul/…`), a RegExp or a predicate. */
  readonly filter?: string | RegExp | ((name: string) => boolean);
  /** Base seed of the random inputs (default 0). */
  readonly seed?: number;
  /** How many independent input draws each case runs (default 3); a case passes only if all do. */
  readonly draws?: number;
  /** The cases (default: every case of op-cases.ts). */
  readonly cases?: readonly OpCase[];
}

export interface ConformanceResult {
  readonly name: string;
  readonly ok: boolean;
  /** Largest |backend − reference| over the output and the gradients (0 when nothing ran). */
  readonly maxAbsDiff: number;
  /** 'ok', why the case failed, or why it was skipped. */
  readonly message: string;
  /** True when the backend does not declare a dtype the case needs (then ok is true). */
  readonly skipped?: boolean;
}

interface Evaluation {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly values: ArrayLike<number>;
  readonly grads: readonly ArrayLike<number>[];
}

function selects(filter: ConformanceOptions['filter'], name: string): boolean {
  if (filter === undefined) return true;
  if (typeof filter === 'string') return name === filter || name.startsWith(`${filter}/`);
  if (filter instanceof RegExp) return filter.test(name);
  return filter(name);
}

/** Runs `c` on `backend`: the output and, for differentiable cases, the float inputs' gradients. */
async function evaluate(c: OpCase, inputs: readonly CaseInput[], weightSeed: number, backend: Backend): Promise<Evaluation> {
  const baseline = memoryOf(backend).liveTensors;
  const { out, leaves } = tidy(() => {
    const leaves = inputs.map((i) => fromArray(i.values, i.shape, i.dtype, backend));
    if (c.grad) for (const t of leaves) if (isFloat(t.dtype)) t.requireGrad();
    const out = c.run(leaves, backend);
    if (c.grad) {
      const w = fromArray(randomValues(randomGenerator(weightSeed), out.size), out.shape, out.dtype, backend);
      sum(mul(out, w)).backward();
    }
    return { out, leaves };
  });
  let evaluation: Evaluation;
  try {
    const values = await out.data();
    const grads: ArrayLike<number>[] = [];
    for (const t of leaves) {
      if (c.grad && isFloat(t.dtype)) grads.push(t.grad ? await t.grad.data() : new Float64Array(t.size));
    }
    evaluation = { shape: out.shape, dtype: out.dtype, values, grads };
  } finally {
    out.dispose();
    for (const t of leaves) t.dispose();
  }
  const leaked = memoryOf(backend).liveTensors - baseline;
  if (leaked !== 0) throw new Error(`${leaked} tensor(s) were left alive on '${backend.name}' after the case`);
  return evaluation;
}

function compare(c: OpCase, got: Evaluation, ref: Evaluation): ConformanceResult {
  if (!shapesEqual(got.shape, ref.shape) || got.dtype !== ref.dtype) {
    return { name: c.name, ok: false, maxAbsDiff: Infinity, message: `output is ${got.dtype} ${formatShape(got.shape)}; expected ${ref.dtype} ${formatShape(ref.shape)} as on the reference.` };
  }
  // NOTE: gradients of exact ops (views, selections) still sum (over broadcast axes, repeated
  // indices), so they get at least the elementwise tolerance before scaling.
  const scaled: Tolerance = {
    atol: Math.max(c.tolerance.atol ?? 0, tolerances.elementwise.atol) * gradientToleranceFactor,
    rtol: Math.max(c.tolerance.rtol ?? 0, tolerances.elementwise.rtol) * gradientToleranceFactor,
  };
  const reports = [
    { label: 'output', report: compareClose(got.values, ref.values, c.tolerance) },
    ...ref.grads.map((r, i) => ({ label: `gradient of float input ${i}`, report: compareClose(got.grads[i], r, scaled) })),
  ];
  const failures = reports.filter((r) => !r.report.ok);
  return {
    name: c.name,
    ok: failures.length === 0,
    maxAbsDiff: Math.max(0, ...reports.map((r) => r.report.maxAbsDiff)),
    message: failures.length === 0 ? 'ok' : failures.map((f) => `${f.label}: ${f.report.message}`).join('\n'),
  };
}

const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** One draw of a case: the comparison, or why it could not be made. */
async function runDraw(c: OpCase, backend: Backend, reference: Backend, seed: number): Promise<ConformanceResult> {
  const inputs = c.inputs(randomGenerator(seed));
  const missing = inputs.map((i) => i.dtype).filter((d) => !backend.capabilities.dtypes.includes(d));
  if (missing.length > 0) {
    return { name: c.name, ok: true, skipped: true, maxAbsDiff: 0, message: `skipped: backend '${backend.name}' does not declare dtype ${missing[0]}.` };
  }
  const weightSeed = seedFor('weights', seed);
  let ref: Evaluation;
  try {
    ref = await evaluate(c, inputs, weightSeed, reference);
  } catch (error) {
    return { name: c.name, ok: false, maxAbsDiff: Infinity, message: `the reference failed (a broken case): ${describeError(error)}` };
  }
  try {
    return compare(c, await evaluate(c, inputs, weightSeed, backend), ref);
  } catch (error) {
    return { name: c.name, ok: false, maxAbsDiff: Infinity, message: `backend '${backend.name}' threw ${describeError(error)}` };
  }
}

async function runCase(c: OpCase, backend: Backend, reference: Backend, seed: number, draws: number): Promise<ConformanceResult> {
  let maxAbsDiff = 0;
  for (let draw = 0; draw < draws; draw++) {
    const result = await runDraw(c, backend, reference, seedFor(`${c.name}#${draw}`, seed));
    if (!result.ok || result.skipped) return draws > 1 && !result.ok ? { ...result, message: `draw ${draw}: ${result.message}` } : result;
    maxAbsDiff = Math.max(maxAbsDiff, result.maxAbsDiff);
  }
  return { name: c.name, ok: true, maxAbsDiff, message: 'ok' };
}

/**
 * Runs the conformance cases on `backend` and on a fresh CPU reference backend with identical
 * seeded inputs; one result per case (see `opCases` for what runs).
 * @example const failures = (await runConformance(createWebGPUBackend())).filter((r) => !r.ok);
 */
export async function runConformance(backend: Backend, options: ConformanceOptions = {}): Promise<ConformanceResult[]> {
  const reference = createCpuBackend({ name: 'cpu-reference', kernels: 'reference' });
  const results: ConformanceResult[] = [];
  try {
    for (const c of options.cases ?? opCases) {
      if (selects(options.filter, c.name)) results.push(await runCase(c, backend, reference, options.seed ?? 0, options.draws ?? 3));
    }
  } finally {
    reference.dispose();
  }
  return results;
}
