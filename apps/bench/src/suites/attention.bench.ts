// The attention suite (issue 5): forward and forward+backward time and peak tensor bytes of
// long-short attention (fused kernels and composed ops) and full attention, batch 1 with no padding,
// for n from 1K up, in the LRA-like configuration (D=64, H=2, w=8, r=32) and a wider one (D=256,
// H=4, w=64, r=32); and per method the longest n whose peak fits 2 GiB, found on an exact peak
// model (degree ≤ 2 in n) and confirmed by a real run where that is affordable.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { FullAttention, LongShortAttention } from '@longshort/attention';
import { addFusedKernels, message } from '../fused-kernels.js';
import { fixtureHandler } from '@longshort/attention/testing';
import {
  createCpuBackend, getBackend, manualSeed, memory, noGrad, randomNormal, resetPeakBytes, setBackend, withImpl, type CpuBackend,
} from '@longshort/tensor';
import { loadFixture, relativeError } from '@longshort/tensor/testing';
import { measureAfterFirstRun, timed, type Budget } from '../measure.js';
import { checkPeakModel, fitVerified, longestFitting, predictPeak, type PeakCheck, type PeakModel } from '../peak-model.js';
import type { LineChart, Series } from '../plot.js';
import { alignTable, currentCommit, fixed, machineInfo, summarize, type MachineInfo, type TimingStats } from '../report.js';

export interface AttentionConfig {
  name: string;
  /** Model width D. */
  dim: number;
  heads: number;
  /** Segment (window) size w; every sequence length is a multiple of it. */
  window: number;
  /** Dynamic-projection rank r. */
  landmarks: number;
}

/** The LRA-like configuration and the wider one of the PyTorch reference figures. */
export const attentionConfigs: readonly AttentionConfig[] = [
  { name: 'lra', dim: 64, heads: 2, window: 8, landmarks: 32 },
  { name: 'wide', dim: 256, heads: 4, window: 64, landmarks: 32 },
];

export const methods = ['long-short-fused', 'long-short-composed', 'full'] as const;
export type Method = (typeof methods)[number];
export const modes = ['forward', 'forward_backward'] as const;
export type Mode = (typeof modes)[number];

/** The sizes and limits of a run of the suite (the timing budget comes separately). */
export interface AttentionScale {
  /** Sequence lengths of the timing series (multiples of every configuration's window). */
  lengths: readonly number[];
  /** Peak models are fitted on three of the lengths k × fitBase, k = 1 … 8, and verified on the next (a multiple of every window). */
  fitBase: number;
  /** A series (method and mode) stops after its first run at some n takes at least this long. */
  stopRunMs: number;
  /** The byte limit of the longest-n search. */
  memoryLimitBytes: number;
  /** The longest n is confirmed by a real run when that run is predicted to take at most this long. */
  confirmLimitMs: number;
}

/** `pnpm bench attention` and its `--quick` smoke run (tiny n, an 8 MiB limit). */
export const attentionScales: Record<'full' | 'quick', AttentionScale> = {
  full: { lengths: [1024, 2048, 4096, 8192], fitBase: 256, stopRunMs: 20_000, memoryLimitBytes: 2 ** 31, confirmLimitMs: 120_000 },
  quick: { lengths: [64, 128], fitBase: 64, stopRunMs: Infinity, memoryLimitBytes: 2 ** 23, confirmLimitMs: Infinity },
};

/** Figures of the authors' PyTorch code (OpenBLAS, 2 threads) on this machine kind, from issue 5. */
export const pytorchReference = {
  source: "the authors' PyTorch code, OpenBLAS, 2 threads, on this machine kind (issue 5)",
  config: 'wide',
  n: 8192,
  long_short_forward_ms: 280,
  long_short_forward_backward_ms: 790,
  full_forward_ms: 7600,
} as const;

/** A result, or why there is none: `error` is a failure, `skipped` a decision of the suite. */
export type Outcome<T> = T | { error: string } | { skipped: string };

export interface RunResult extends TimingStats {
  /** Peak tensor bytes of one run minus the bytes live before it (parameters, input, upstream gradient). */
  peak_bytes: number;
}

export interface SeriesPoint {
  n: number;
  /** The machine's 1-minute load average when the length started (other work slows the runs). */
  load_1m: number;
  forward: Outcome<RunResult>;
  forward_backward: Outcome<RunResult>;
  /** Fused only: max relative error of the output and of the input gradient against the composed path at this n. */
  check_vs_composed?: Outcome<{ output: number; input_gradient: number }>;
}

export interface LongestN {
  n: number;
  predicted_peak_bytes: number;
  /** The model's peak at n + one window, above the limit. */
  next_predicted_peak_bytes: number;
  confirmation: Outcome<{ peak_bytes: number; ms: number; exact: boolean }>;
}

export interface MethodReport {
  /** Why the method did not run (the fused kernels could not be registered), else absent. */
  unavailable?: string;
  series: SeriesPoint[];
  /** Why each series stopped before the last length, or null. */
  stopped: Record<Mode, string | null>;
  /** Fitted on three lengths; `checks` holds every longer measured length (the fit's verification). */
  peak_model: Record<Mode, Outcome<PeakModel & { checks: PeakCheck[]; discarded_n: number[] }>>;
  longest_n: Record<Mode, Outcome<LongestN>>;
}

export interface ConfigReport extends AttentionConfig {
  methods: Record<Method, MethodReport>;
}

export interface FixtureValidation {
  fixture: string;
  impl: 'fused' | 'composed';
  max_output_rel_error: number;
  max_gradient_rel_error: number;
  ok: boolean;
}

export interface Target {
  config: string;
  target: string;
  value: number | null;
  goal: number;
  met: boolean | null;
  note: string;
}

export interface AttentionReport {
  suite: 'attention';
  timestamp: string;
  commit: string | null;
  machine: MachineInfo;
  /** The machine's 1-minute load average at the start and at the end of the suite. */
  load_average: { start: number; end: number };
  backend: { name: string; kind: string; threads: number; fused: string };
  scale: AttentionScale;
  budget: Budget;
  definitions: Record<string, string>;
  validation: { fixtures: FixtureValidation[]; notes: string[] };
  configs: ConfigReport[];
  reference: typeof pytorchReference;
  targets: Target[];
}

export interface AttentionSuiteOptions {
  configs: readonly AttentionConfig[];
  scale: AttentionScale;
  budget: Budget;
  /** A fresh backend without the fused kernels (default: `createCpuBackend()`); the suite registers them. */
  createBackend?: () => CpuBackend;
  /** Progress messages. */
  log?: (message: string) => void;
}

/** Outputs within this relative error of the composed path (f32) count as agreeing. */
export const agreementTolerance = 1e-4;
/** The authors' fixtures: outputs within 1e-4, gradients within 1e-3 (as the attention package's tests). */
const fixtureTolerance = { output: 1e-4, gradient: 1e-3 };
const fixtureNames = ['bidir-basic', 'bidir-cls', 'bidir-four-heads', 'bidir-window-only'];
const fixtureDirectory = new URL('../../../../fixtures/reference/', import.meta.url);

const isResult = <T extends object>(outcome: Outcome<T> | undefined): outcome is T => outcome !== undefined && !('error' in outcome) && !('skipped' in outcome);

/** Bytes a backend can hold: a 32-bit WebAssembly memory addresses 4 GiB; host arrays get half the RAM. */
function capacityBytes(backend: CpuBackend): number {
  return backend.capabilities.info.kind === 'wasm-simd' ? 2 ** 32 : os.totalmem() / 2;
}

/** One measured run: elapsed time, peak bytes above what was live before, and the values read back. */
interface MeasuredRun {
  ms: number;
  peakBytes: number;
  values: Float32Array;
}

/** A module, its input and upstream gradient on a fresh backend, for one method at one length. */
interface Session {
  run(mode: Mode): Float32Array;
  measured(mode: Mode): Promise<MeasuredRun>;
  dispose(): void;
}

/**
 * Builds `method` for `config` at length n on a fresh backend (seeded, so every method sees the
 * same input; the two long-short paths also the same parameters). Fresh backends keep one length's
 * heap blocks from crowding the next one's memory.
 */
function openSession(createBackend: () => CpuBackend, config: AttentionConfig, method: Method, n: number): Session {
  const backend = createBackend();
  const reason = method === 'long-short-fused' ? addFusedKernels(backend) : null;
  if (reason) {
    backend.dispose();
    throw new Error(reason);
  }
  setBackend(backend);
  manualSeed(1);
  const module: FullAttention | LongShortAttention = method === 'full'
    ? new FullAttention({ dim: config.dim, numHeads: config.heads })
    : new LongShortAttention({ dim: config.dim, numHeads: config.heads, numLandmarks: config.landmarks, windowSize: config.window });
  const x = randomNormal([1, n, config.dim]).requireGrad(); // (B, n, D)
  const dy = randomNormal([1, n, config.dim]); // (B, n, D): upstream gradient
  const impl = method === 'long-short-composed' ? 'composed' : 'auto';
  const passes: Record<Mode, () => Float32Array> = {
    forward: () => noGrad(() => {
      const y = module.forward(x);
      const values = y.dataSync() as Float32Array;
      y.dispose();
      return values;
    }),
    forward_backward: () => {
      const y = module.forward(x);
      y.backward(dy);
      y.dispose();
      const values = x.grad!.dataSync() as Float32Array;
      module.zeroGrad();
      x.grad!.dispose();
      x.grad = null;
      return values;
    },
  };
  const run = (mode: Mode) => withImpl(impl, passes[mode]);
  return {
    run,
    async measured(mode) {
      const before = memory(backend).liveBytes;
      resetPeakBytes(backend);
      const { value, ms } = await timed(async () => run(mode));
      const after = memory(backend);
      if (after.liveBytes !== before) throw new Error(`${mode} left ${after.liveBytes - before} bytes live; expected none.`);
      return { ms, peakBytes: after.peakBytes - before, values: value };
    },
    dispose() {
      module.dispose();
      x.dispose();
      dy.dispose();
      backend.dispose();
    },
  };
}

/**
 * Runs the authors' bidirectional fixtures (forward and backward against their PyTorch outputs) on
 * the fused kernels and on the composed ops (a backend without the kernels).
 */
async function validateOnFixtures(createBackend: () => CpuBackend, fused: boolean): Promise<FixtureValidation[]> {
  const results: FixtureValidation[] = [];
  for (const name of fixtureNames) {
    const bytes = readFileSync(new URL(`${name}.safetensors`, fixtureDirectory));
    for (const impl of fused ? (['fused', 'composed'] as const) : (['composed'] as const)) {
      const backend = createBackend();
      if (impl === 'fused') addFusedKernels(backend);
      const fixture = loadFixture(bytes, backend);
      try {
        const { outputs, gradients } = await fixtureHandler.run(fixture, backend);
        const output = Math.max(...outputs.map((o) => o.relError));
        const gradient = Math.max(...gradients.map((g) => g.relError));
        results.push({ fixture: name, impl, max_output_rel_error: output, max_gradient_rel_error: gradient, ok: output < fixtureTolerance.output && gradient < fixtureTolerance.gradient });
      } finally {
        for (const t of fixture.tensors.values()) t.dispose();
        backend.dispose();
      }
    }
  }
  return results;
}

/**
 * The median run time of a series at n: measured, or extrapolated from its last measured length
 * along n^e, e the least-squares slope of log time against log n over all its measured lengths
 * (`defaultExponent` when there is only one).
 * @example timeAt(report.methods.full.series, 'forward', 8192, 2) // { ms: 7000, measured: false, note: '…' }
 */
export function timeAt(series: readonly SeriesPoint[], mode: Mode, n: number, defaultExponent: number): { ms: number; measured: boolean; note: string } | null {
  const points = series.flatMap((p) => (isResult(p[mode]) ? [{ n: p.n, ms: p[mode].median_ms }] : []));
  const exact = points.find((p) => p.n === n);
  if (exact) return { ms: exact.ms, measured: true, note: 'measured' };
  if (points.length === 0) return null;
  const last = points[points.length - 1];
  // NOTE: a least-squares slope over every length, not the last two: one run slowed by other load
  // on the machine must not decide the extrapolation.
  const xs = points.map((p) => Math.log(p.n));
  const ys = points.map((p) => Math.log(p.ms));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const exponent = points.length > 1
    ? xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0) / xs.reduce((sum, x) => sum + (x - mx) ** 2, 0)
    : defaultExponent;
  const basis = points.length > 1 ? `the least-squares slope over n = ${points[0].n}…${last.n}` : 'assumed';
  return { ms: last.ms * (n / last.n) ** exponent, measured: false, note: `extrapolated from n = ${last.n} along n^${exponent.toFixed(2)} (${basis})` };
}

/** Time grows like n for long-short attention and like n² for full attention (for extrapolation). */
const nominalExponent = (method: Method) => (method === 'full' ? 2 : 1);

/** Fits each mode's peak model on lengths k × fitBase (one fresh session per length, both modes). */
async function fitPeakModels(createBackend: () => CpuBackend, config: AttentionConfig, method: Method, fitBase: number): Promise<MethodReport['peak_model']> {
  const measured = new Map<number, Record<Mode, number>>();
  const peakAt = (mode: Mode) => async (n: number) => {
    if (!measured.has(n)) {
      const session = openSession(createBackend, config, method, n);
      try {
        measured.set(n, { forward: (await session.measured('forward')).peakBytes, forward_backward: (await session.measured('forward_backward')).peakBytes });
      } finally {
        session.dispose();
      }
    }
    return measured.get(n)![mode];
  };
  const lengths = Array.from({ length: 8 }, (_, k) => (k + 1) * fitBase);
  const models = {} as MethodReport['peak_model'];
  for (const mode of modes) {
    const fit = await fitVerified(lengths, peakAt(mode));
    models[mode] = fit
      ? { ...fit.model, checks: [fit.check], discarded_n: fit.discarded_n }
      : { error: `no four consecutive lengths of ${lengths.join(', ')} lie on one polynomial of degree ≤ 2` };
  }
  return models;
}

/** What every run of one configuration shares. */
interface ConfigContext {
  createBackend: () => CpuBackend;
  config: AttentionConfig;
  scale: AttentionScale;
  budget: Budget;
  /** Bytes the backend can hold (see capacityBytes). */
  capacity: number;
  log: (message: string) => void;
}

/**
 * One method at one length: first runs (peak bytes, checked against the model), the fused path's
 * check against `composed` (the composed path's output and input gradient at this n, which the
 * composed method fills in), then timing.
 */
async function runLength({ createBackend, config, scale, budget, capacity, log }: ConfigContext, method: Method, n: number, report: MethodReport,
  composed: Partial<Record<Mode, Float32Array>>): Promise<void> {
  const load = os.loadavg()[0];
  const outcomes: Partial<Record<Mode, Outcome<RunResult>>> = {};
  let check: SeriesPoint['check_vs_composed'];
  let session: Session | null = null;
  try {
    session = openSession(createBackend, config, method, n);
    const firsts: Partial<Record<Mode, MeasuredRun>> = {};
    for (const mode of modes) {
      const model = report.peak_model[mode];
      const predicted = isResult(model) ? predictPeak(model, n) : 0;
      if (report.stopped[mode]) {
        outcomes[mode] = { skipped: report.stopped[mode]! };
      } else if (predicted * 1.25 > capacity) {
        // NOTE: the wasm heap rounds blocks up to size classes (at most 25% more), hence the margin.
        report.stopped[mode] = `predicted peak ${(predicted / 2 ** 30).toFixed(2)} GiB at n = ${n} does not fit the backend's ${(capacity / 2 ** 30).toFixed(0)} GiB`;
        outcomes[mode] = { skipped: report.stopped[mode]! };
      } else {
        firsts[mode] = await session.measured(mode);
        if (isResult(model) && n > Math.max(...model.fit_n, ...model.checks.map((c) => c.n))) {
          model.checks.push(...checkPeakModel(model, [{ n, bytes: firsts[mode].peakBytes }]));
        }
      }
    }
    if (method === 'long-short-composed') {
      for (const mode of modes) composed[mode] = firsts[mode]?.values;
    } else if (method === 'long-short-fused') {
      const [output, gradient] = [composed.forward, composed.forward_backward];
      if (output && gradient && firsts.forward && firsts.forward_backward) {
        const errors = { output: relativeError(firsts.forward.values, output), input_gradient: relativeError(firsts.forward_backward.values, gradient) };
        check = errors;
        if (!(errors.output <= agreementTolerance && errors.input_gradient <= agreementTolerance)) {
          throw new Error(`fused differs from composed: output ${errors.output}, input gradient ${errors.input_gradient}; expected ≤ ${agreementTolerance}`);
        }
      } else {
        check = { skipped: 'the composed path has no run of both modes at this n' };
      }
    }
    for (const mode of modes) {
      const first = firsts[mode];
      if (!first) continue;
      let times = [first.ms];
      if (first.ms >= scale.stopRunMs) {
        report.stopped[mode] = `the run at n = ${n} took ${(first.ms / 1000).toFixed(1)} s ≥ ${scale.stopRunMs / 1000} s; it is the only timed run there`;
      } else {
        times = await measureAfterFirstRun(async () => session!.run(mode), first.ms, budget);
      }
      const stats = summarize(times);
      outcomes[mode] = { ...stats, peak_bytes: first.peakBytes };
      log(`${config.name} ${method} n=${n} ${mode}: ${stats.median_ms.toFixed(1)} ms, peak ${(first.peakBytes / 2 ** 20).toFixed(1)} MiB (${times.length} runs)`);
    }
  } catch (error) {
    for (const mode of modes) {
      outcomes[mode] ??= { error: message(error) };
      report.stopped[mode] ??= `an error at n = ${n}`;
    }
    log(`${config.name} ${method} n=${n}: error: ${message(error)}`);
  } finally {
    session?.dispose();
  }
  report.series.push({ n, load_1m: load, forward: outcomes.forward!, forward_backward: outcomes.forward_backward!, ...(check && { check_vs_composed: check }) });
}

/** The longest n under the limit from a verified model, confirmed by one run where affordable. */
async function longestN({ createBackend, config, scale, log }: ConfigContext, method: Method, mode: Mode, report: MethodReport): Promise<Outcome<LongestN>> {
  const model = report.peak_model[mode];
  if (!isResult(model)) return { skipped: 'no peak model' };
  const wrong = model.checks.filter((c) => !c.exact);
  if (model.checks.length === 0 || wrong.length > 0) {
    return { error: `the peak model is not verified: ${wrong.length} of ${model.checks.length} checks differ (n = ${wrong.map((c) => c.n).join(', ')})` };
  }
  const n = longestFitting((length) => predictPeak(model, length), scale.memoryLimitBytes, config.window);
  if (n < model.fit_n[0]) return { skipped: `the model puts the limit below n = ${model.fit_n[0]}, where it starts to hold (the peak is not polynomial below)` };
  const result: LongestN = {
    n,
    predicted_peak_bytes: Math.round(predictPeak(model, n)),
    next_predicted_peak_bytes: Math.round(predictPeak(model, n + config.window)),
    confirmation: { skipped: '' },
  };
  const time = timeAt(report.series, mode, n, nominalExponent(method));
  if (!time) {
    result.confirmation = { skipped: 'no measured time to predict the run from' };
  } else if (time.ms > scale.confirmLimitMs) {
    result.confirmation = { skipped: `a run at n = ${n} would take about ${(time.ms / 1000).toFixed(0)} s (${time.note}) > ${scale.confirmLimitMs / 1000} s` };
  } else {
    const session = openSession(createBackend, config, method, n);
    try {
      const run = await session.measured(mode);
      result.confirmation = { peak_bytes: run.peakBytes, ms: run.ms, exact: checkPeakModel(model, [{ n, bytes: run.peakBytes }])[0].exact };
      if (!result.confirmation.exact) result.confirmation = { error: `the run at n = ${n} peaked at ${run.peakBytes} bytes; the model predicted ${result.predicted_peak_bytes}` };
    } catch (error) {
      result.confirmation = { error: message(error) };
    } finally {
      session.dispose();
    }
  }
  log(`${config.name} ${method} ${mode}: longest n in ${(scale.memoryLimitBytes / 2 ** 20).toFixed(0)} MiB = ${n} (confirmation: ${JSON.stringify(result.confirmation)})`);
  return result;
}

/**
 * The targets of issue 5, on the configuration of the PyTorch figures and on every configuration for
 * the ratios. A target is decided (`met` not null) only on a measured long-short time; full
 * attention's time may be extrapolated (it does not fit at n = 8192 or takes minutes).
 */
function computeTargets(configs: readonly ConfigReport[]): Target[] {
  const targets: Target[] = [];
  const n = pytorchReference.n;
  for (const config of configs) {
    const fused = config.methods['long-short-fused'];
    const full = config.methods.full;
    if (config.name === pytorchReference.config) {
      for (const [mode, reference] of [['forward', pytorchReference.long_short_forward_ms], ['forward_backward', pytorchReference.long_short_forward_backward_ms]] as const) {
        const time = timeAt(fused.series, mode, n, 1);
        targets.push({
          config: config.name, target: `fused long-short ${mode} at n = ${n}: ours ÷ PyTorch ≤ 1`, value: time && time.ms / reference, goal: 1,
          met: time && time.measured ? time.ms <= reference : null, note: time ? `${time.ms.toFixed(0)} ms (${time.note}) vs ${reference} ms` : 'no time',
        });
      }
      const fullTime = timeAt(full.series, 'forward', n, 2);
      targets.push({
        config: config.name, target: `full attention forward at n = ${n}: ours ÷ PyTorch (for information)`, value: fullTime && fullTime.ms / pytorchReference.full_forward_ms,
        goal: 1, met: null, note: fullTime ? `${fullTime.ms.toFixed(0)} ms (${fullTime.note}) vs ${pytorchReference.full_forward_ms} ms` : 'no time',
      });
    }
    const ours = timeAt(fused.series, 'forward_backward', n, 1);
    const theirs = timeAt(full.series, 'forward_backward', n, 2);
    targets.push({
      config: config.name, target: `forward+backward at n = ${n}: full ÷ fused long-short ≥ 10`, value: ours && theirs && theirs.ms / ours.ms, goal: 10,
      met: ours && theirs && ours.measured ? theirs.ms / ours.ms >= 10 : null, note: `fused ${ours ? `${ours.ms.toFixed(0)} ms (${ours.note})` : 'no time'}; full ${theirs ? `${theirs.ms.toFixed(0)} ms (${theirs.note})` : 'no time'}`,
    });
    for (const mode of modes) {
      const [a, b] = [fused.longest_n[mode], full.longest_n[mode]];
      const ratio = isResult(a) && isResult(b) && b.n > 0 ? a.n / b.n : null;
      targets.push({
        config: config.name, target: `longest n in the limit, ${mode}: fused long-short ÷ full ≥ 16`, value: ratio, goal: 16, met: ratio === null ? null : ratio >= 16,
        note: `fused ${isResult(a) ? a.n : 'none'}, full ${isResult(b) ? b.n : 'none'}`,
      });
    }
  }
  return targets;
}

/**
 * Runs the suite: fixture validation, then per configuration and method the peak models, the timing
 * series and the longest-n search; returns the report (errors are recorded in it, not thrown).
 * @example const report = await runAttentionSuite({ configs: attentionConfigs, scale: attentionScales.quick, budget });
 */
export async function runAttentionSuite(options: AttentionSuiteOptions): Promise<AttentionReport> {
  const { configs, scale, budget, createBackend = () => createCpuBackend(), log = () => {} } = options;
  for (const config of configs) {
    for (const n of [...scale.lengths, scale.fitBase]) {
      if (n % config.window !== 0) throw new RangeError(`attention suite: length ${n} must be a multiple of the window ${config.window} of '${config.name}'.`);
    }
  }
  const loadAtStart = os.loadavg()[0];
  const previous = getBackend();
  const probe = createBackend();
  const fusedProblem = addFusedKernels(probe);
  const capacity = capacityBytes(probe);
  const info = probe.capabilities.info;
  const backend = { name: probe.name, kind: String(info.kind), threads: typeof info.threads === 'number' ? info.threads : 1, fused: fusedProblem ?? 'registered' };
  probe.dispose();
  try {
    const fixtures = await validateOnFixtures(createBackend, fusedProblem === null);
    log(`fixtures: ${fixtures.filter((f) => f.ok).length} of ${fixtures.length} within tolerance`);
    const reports: ConfigReport[] = [];
    for (const config of configs) {
      const methodReports = {} as Record<Method, MethodReport>;
      for (const method of methods) {
        methodReports[method] = {
          series: [], stopped: { forward: null, forward_backward: null },
          peak_model: { forward: { skipped: '' }, forward_backward: { skipped: '' } }, longest_n: { forward: { skipped: '' }, forward_backward: { skipped: '' } },
        };
        if (method === 'long-short-fused' && fusedProblem) {
          methodReports[method].unavailable = fusedProblem;
          for (const mode of modes) methodReports[method].peak_model[mode] = methodReports[method].longest_n[mode] = { skipped: `fused kernels unavailable: ${fusedProblem}` };
        }
      }
      const active = methods.filter((m) => !methodReports[m].unavailable);
      for (const method of active) {
        try {
          methodReports[method].peak_model = await fitPeakModels(createBackend, config, method, scale.fitBase);
        } catch (error) {
          for (const mode of modes) methodReports[method].peak_model[mode] = { error: message(error) };
        }
      }
      const context: ConfigContext = { createBackend, config, scale, budget, capacity, log };
      // NOTE: composed runs first at each n, so the fused path is checked against it before being timed.
      const order = [...active].sort((a, b) => Number(b === 'long-short-composed') - Number(a === 'long-short-composed'));
      for (const n of scale.lengths) {
        const composed: Partial<Record<Mode, Float32Array>> = {};
        for (const method of order) await runLength(context, method, n, methodReports[method], composed);
      }
      for (const method of active) {
        for (const mode of modes) methodReports[method].longest_n[mode] = await longestN(context, method, mode, methodReports[method]);
      }
      reports.push({ ...config, methods: methodReports });
    }
    return {
      suite: 'attention',
      timestamp: new Date().toISOString(),
      commit: currentCommit(),
      machine: machineInfo(),
      load_average: { start: loadAtStart, end: os.loadavg()[0] },
      backend,
      scale,
      budget,
      definitions: {
        peak_bytes: 'memory().peakBytes − memory().liveBytes before the run: the most bytes of tensor storage alive at once beyond the parameters, input and upstream gradient (requested sizes; not the wasm heap\'s size-class rounding, nor kernels\' own scratch)',
        forward: 'module.forward(x) under noGrad, output read back; batch 1, no padding',
        forward_backward: 'module.forward(x), backward of an upstream gradient, input gradient read back; parameter and input gradients included in the peak',
        peak_model: 'peak_bytes = c0 + c1·n + c2·n², exact through three consecutive lengths k·fitBase (shorter lengths are discarded while the peak is not yet on one polynomial), verified to the byte at the next length and at every longer measured length',
        longest_n: 'the largest multiple of the window whose modelled peak_bytes ≤ memoryLimitBytes: doubling from one window with no upper cap, then bisection; confirmed by one run at that n when affordable',
        composed: "the same module with every fusable op forced onto its decomposition (withImpl('composed'))",
        timing: 'median, p10 and p90 of runs after a warm-up (a first run of at least budget.slowRunMs replaces it); each length runs on a fresh backend',
      },
      validation: {
        fixtures,
        notes: [
          "long-short (fused and composed) is checked against the authors' PyTorch outputs and gradients on the bidirectional fixtures",
          `fused is checked against composed at every length where both ran (output and input gradient within ${agreementTolerance})`,
          'full attention is not validated here (two matmuls around a softmax); the attention package tests it',
        ],
      },
      configs: reports,
      reference: pytorchReference,
      targets: computeTargets(reports),
    };
  } finally {
    setBackend(previous);
  }
}

/** Whether the report holds a failure: a fixture out of tolerance or any `error` outcome. */
export function attentionFailed(report: AttentionReport): boolean {
  if (report.validation.fixtures.some((f) => !f.ok)) return true;
  const outcomes = report.configs.flatMap((c) => Object.values(c.methods).flatMap((m) => [
    ...m.series.flatMap((p) => [p.forward, p.forward_backward, p.check_vs_composed]),
    ...modes.flatMap((mode) => [m.peak_model[mode], m.longest_n[mode], isResult(m.longest_n[mode]) ? m.longest_n[mode].confirmation : undefined]),
  ]));
  return outcomes.some((o) => o !== undefined && 'error' in o);
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)}`;
const cell = (outcome: Outcome<RunResult>, pick: (r: RunResult) => string) => (isResult(outcome) ? pick(outcome) : 'error' in outcome ? 'error' : '—');

/** The report as plain-text tables: timings and peaks, longest n, targets. */
export function formatAttentionTable(report: AttentionReport): string {
  const timing: string[][] = [];
  const longest: string[][] = [];
  for (const config of report.configs) {
    for (const [method, result] of Object.entries(config.methods)) {
      if (result.unavailable) timing.push([config.name, method, '', `unavailable: ${result.unavailable}`, '', '', '', '', '', '']);
      for (const p of result.series) {
        const check = p.check_vs_composed;
        timing.push([
          config.name, method, String(p.n),
          cell(p.forward, (r) => fixed(r.median_ms, 1)), cell(p.forward, (r) => `${fixed(r.p10_ms, 1)}–${fixed(r.p90_ms, 1)}`), cell(p.forward, (r) => mib(r.peak_bytes)),
          cell(p.forward_backward, (r) => fixed(r.median_ms, 1)), cell(p.forward_backward, (r) => `${fixed(r.p10_ms, 1)}–${fixed(r.p90_ms, 1)}`), cell(p.forward_backward, (r) => mib(r.peak_bytes)),
          check === undefined ? '' : isResult(check) ? Math.max(check.output, check.input_gradient).toExponential(1) : 'error' in check ? 'error' : '—',
        ]);
      }
      for (const mode of modes) {
        const found = result.longest_n[mode];
        const confirmation = isResult(found) ? found.confirmation : null;
        longest.push([
          config.name, method, mode, isResult(found) ? String(found.n) : 'error' in found ? `error: ${found.error}` : `skipped: ${found.skipped}`,
          isResult(found) ? mib(found.predicted_peak_bytes) : '',
          confirmation === null ? '' : isResult(confirmation) ? `exact, ${fixed(confirmation.ms / 1000, 1)} s` : 'error' in confirmation ? `error: ${confirmation.error}` : `skipped: ${confirmation.skipped}`,
        ]);
      }
    }
  }
  const targets = report.targets.map((t) => [t.config, t.target, t.value === null ? '' : fixed(t.value, 3), t.met === null ? '' : t.met ? 'yes' : 'no', t.note]);
  return [
    alignTable(['config', 'method', 'n', 'fwd ms', 'p10–p90', 'fwd MiB', 'f+b ms', 'p10–p90', 'f+b MiB', 'vs composed'], timing),
    '',
    alignTable(['config', 'method', 'mode', `longest n ≤ ${mib(report.scale.memoryLimitBytes)} MiB`, 'peak MiB', 'confirmation'], longest),
    '',
    alignTable(['config', 'target', 'value', 'met', 'note'], targets),
  ].join('\n');
}

const methodColors: Record<Method, string> = { 'long-short-fused': '#1f77b4', 'long-short-composed': '#ff7f0e', full: '#d62728' };
const lengthLabel = (n: number) => (n >= 1024 ? `${n / 1024}K` : String(n));
const byteLabel = (bytes: number) => (bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : bytes >= 2 ** 20 ? `${bytes / 2 ** 20} MiB` : `${bytes / 1024} KiB`);

/**
 * Charts of the report, one panel per configuration: median time against n (with the PyTorch
 * figures), and peak bytes against n along each verified model up to just past its longest n.
 * @example writeFileSync('time.svg', chartsSvg(attentionCharts(report).time))
 */
export function attentionCharts(report: AttentionReport): { time: LineChart[]; memory: LineChart[] } {
  const time: LineChart[] = [];
  const memoryCharts: LineChart[] = [];
  for (const config of report.configs) {
    const timeSeries: Series[] = [];
    const memorySeries: Series[] = [];
    for (const method of methods) {
      const result = config.methods[method];
      for (const mode of modes) {
        const style = { color: methodColors[method], dashed: mode === 'forward_backward' };
        const name = `${method} ${mode === 'forward' ? 'forward' : 'forward+backward'}`;
        timeSeries.push({ name, ...style, points: result.series.flatMap((p) => (isResult(p[mode]) ? [[p.n, p[mode].median_ms] as const] : [])) });
        const model = result.peak_model[mode];
        const found = result.longest_n[mode];
        if (!isResult(model)) continue;
        const end = isResult(found) ? 2 * Math.max(found.n, 1) : Math.max(...report.scale.lengths);
        const lengths: number[] = [];
        for (let n = model.fit_n[0]; n <= end; n *= 2) lengths.push(n);
        if (isResult(found) && found.n > 0) lengths.push(found.n);
        lengths.sort((a, b) => a - b);
        memorySeries.push({ name: `${name} (model)`, ...style, points: lengths.map((n) => [n, predictPeak(model, n)] as const) });
      }
    }
    if (config.name === report.reference.config) {
      const { n, long_short_forward_ms: forward, long_short_forward_backward_ms: backward, full_forward_ms: full } = report.reference;
      timeSeries.push(
        { name: 'PyTorch (authors) long-short forward', color: '#2ca02c', points: [[n, forward]] },
        { name: 'PyTorch (authors) long-short forward+backward', color: '#2ca02c', dashed: true, points: [[n, backward]] },
        { name: 'PyTorch (authors) full forward', color: '#9467bd', points: [[n, full]] },
      );
    }
    const title = `${config.name}: D=${config.dim}, H=${config.heads}, w=${config.window}, r=${config.landmarks}`;
    const x = { label: 'sequence length n', base: 2, format: lengthLabel };
    time.push({ title: `${title} (${report.backend.kind}, ${report.backend.threads} threads)`, x, y: { label: 'median time (ms)' }, series: timeSeries });
    memoryCharts.push({
      title: `${title}: peak tensor bytes`, x, y: { label: 'peak bytes', base: 2, format: byteLabel }, series: memorySeries,
      guides: [{ y: report.scale.memoryLimitBytes, label: `${byteLabel(report.scale.memoryLimitBytes)} limit` }],
    });
  }
  return { time, memory: memoryCharts };
}
