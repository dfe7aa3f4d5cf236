// The lm suite (issue 6): the long-short character language model (`presets.small`, vocabulary of
// the Brown corpus) measured three ways, each against the same model with full attention where
// that applies (matchedFullAttentionConfig, nearly equal parameters): training tokens/s on the CPU
// backend and on WebGPU (spec B.8), generation cost per token at contexts of 1K…64K characters
// (spec B.5, D.2), and validation BPC after the same wall-clock training budget (spec B.8).
import os from 'node:os';
import { loadCorpus, parameterCount, presets, type Corpus, type TransformerLSConfig } from '@longshort/lm';
import { ConfigError, createCpuBackend, getBackend, setBackend, type Backend, type CpuBackend } from '@longshort/tensor';
import { addFusedKernels, message } from '../fused-kernels.js';
import type { Budget } from '../measure.js';
import type { LineChart, Series } from '../plot.js';
import { alignTable, currentCommit, fixed, machineInfo, type MachineInfo } from '../report.js';
import type { Outcome } from './attention.bench.js';
import { attendedKeys, costRatio, decodeConfig, decodeMethods, timeDecoder, type CostRatio, type DecodeMethod, type DecodeRun } from './lm-decode.js';
import { measureTrainingThroughput, trainAndEvaluate, type BpcResult, type ThroughputResult, type TrainingShape } from './lm-train.js';
import { createNodeWebGPUBackend, type WebGPUAdapterFacts } from './lm-webgpu.js';

/** The sizes of a run of the suite (the timing budget of steps and pushes comes separately). */
export interface LmScale {
  /** Batch × segment of the throughput runs, and a cap on each backend's run (seconds). */
  throughput: { batchSize: number; segmentLength: number; capSeconds: number };
  /** Contexts (= memLen) of the generation series, ascending, in characters. */
  contexts: readonly number[];
  /** The decoders' segment length T. */
  decodeSegment: number;
  /** Wall-clock training per model, and validation characters scored, of the BPC comparison. */
  bpc: { trainSeconds: number; validChars: number };
}

/** `pnpm bench lm` and its `--quick` smoke run (a tiny throughput shape: WebGPU on SwiftShader takes minutes per full step). */
export const lmScales: Record<'full' | 'quick', LmScale> = {
  full: { throughput: { batchSize: 16, segmentLength: 128, capSeconds: 120 }, contexts: [1024, 8192, 65_536], decodeSegment: 128, bpc: { trainSeconds: 120, validChars: 30_000 } },
  quick: { throughput: { batchSize: 1, segmentLength: 16, capSeconds: 20 }, contexts: [1024, 8192, 65_536], decodeSegment: 128, bpc: { trainSeconds: 15, validChars: 4096 } },
};

/** AdamW 2e-3 with gradient clip 1 (train()'s other defaults: weight decay 0.01, betas 0.9/0.999, seed 0). */
const optimizer = { lr: 2e-3, gradClip: 1 } as const;
/** The BPC comparison trains at the main job's shape, batch 16 × segment 128. */
const bpcShape: TrainingShape = { batchSize: 16, segmentLength: 128, ...optimizer };

export interface ThroughputEntry {
  backend: 'cpu' | 'webgpu';
  /** The backend's name and kind (CPU) or the adapter's description (WebGPU). */
  device: string;
  /** Worker threads of the CPU backend; null on WebGPU. */
  threads: number | null;
  /** CPU: 'registered', or why the fused (causal) attention kernels are not; WebGPU: null (its own kernels). */
  fused_attention: string | null;
  adapter?: WebGPUAdapterFacts;
  /** A software adapter: the timing carries no target. */
  software: boolean;
  result: Outcome<ThroughputResult>;
}

export interface DecodePoint {
  context: number;
  method: DecodeMethod;
  /** Keys a query attends per layer and head at the first push (see attendedKeys). */
  attended_keys: number;
  result: Outcome<DecodeRun>;
}

export interface ModelEntry {
  config: TransformerLSConfig;
  /** parameterCount(config) (spec B.9). */
  parameters: number;
}

export interface LmReport {
  suite: 'lm';
  timestamp: string;
  commit: string | null;
  machine: MachineInfo;
  /** The machine's 1-minute load average at the start and at the end of the suite. */
  load_average: { start: number; end: number };
  scale: LmScale;
  budget: Budget;
  corpus: { name: string; vocab_size: number; train_chars: number; valid_chars: number };
  /** The long-short model and its full-attention baseline at the training memLen. */
  models: Record<DecodeMethod, ModelEntry>;
  definitions: Record<string, string>;
  training_throughput: ThroughputEntry[];
  generation: { series: DecodePoint[]; ratios: Record<DecodeMethod, CostRatio | null> };
  bpc: Record<DecodeMethod, Outcome<BpcResult>>;
  notes: string[];
}

export interface LmSuiteOptions {
  scale: LmScale;
  /** Timing of training steps (warm-up steps, then timed ones) and of decoder pushes. */
  budget: Budget;
  /** Default: loadCorpus() (Brown). */
  corpus?: Corpus;
  /** The long-short model; default presets.small with the corpus's vocabulary size. */
  config?: TransformerLSConfig;
  /** A fresh CPU backend (default createCpuBackend()); the suite registers the fused attention kernels on it. */
  createCpu?: () => CpuBackend;
  /** The WebGPU backend (default: Dawn in Node, createNodeWebGPUBackend); a rejection records WebGPU as skipped. */
  createWebGPU?: () => Promise<{ backend: Backend; adapter: WebGPUAdapterFacts }>;
  log?: (message: string) => void;
}

export const isResult = <T extends object>(outcome: Outcome<T> | undefined): outcome is T => outcome !== undefined && !('error' in outcome) && !('skipped' in outcome);

/**
 * Checks a scale against the model and the budget: contexts ascending multiples of chunkSize of at
 * least windowLen (the model's memLen rules), and every push of a decoder (the checked one, the
 * warm-up and at most maxRuns timed ones) within its first segment, so that none commits a segment.
 * @example checkLmScale(lmScales.full, presets.small, budget)
 */
export function checkLmScale(scale: LmScale, config: TransformerLSConfig, budget: Budget): void {
  const { chunkSize, windowLen } = config;
  const bad = scale.contexts.filter((c, i) => !(Number.isInteger(c) && c % chunkSize === 0 && c >= windowLen && (i === 0 || c > scale.contexts[i - 1])));
  if (scale.contexts.length === 0 || bad.length > 0) {
    throw new ConfigError('lm suite', 'contexts', `ascending multiples of chunkSize ${chunkSize}, each at least windowLen ${windowLen}`, `[${scale.contexts.join(', ')}]`);
  }
  const pushes = 1 + budget.warmupRuns + budget.maxRuns;
  if (pushes >= scale.decodeSegment) {
    throw new ConfigError('lm suite', 'budget', `at most ${scale.decodeSegment - 2} warm-up and timed pushes (1 checked push + all of them within the first segment of ${scale.decodeSegment})`,
      `${budget.warmupRuns} + ${budget.maxRuns}`);
  }
}

/** A fresh CPU backend with the fused attention kernels, and 'registered' or why they are not. */
function cpuWithFusedKernels(createCpu: () => CpuBackend): { backend: CpuBackend; fused: string } {
  const backend = createCpu();
  return { backend, fused: addFusedKernels(backend) ?? 'registered' };
}

/** Runs `fn` with `backend` as the current backend, then disposes it. */
async function onBackend<T>(backend: Backend, fn: () => Promise<T>): Promise<T> {
  setBackend(backend);
  try {
    return await fn();
  } finally {
    backend.dispose();
  }
}

async function throughputOnCpu(options: Required<Omit<LmSuiteOptions, 'corpus' | 'config'>>, corpus: Corpus, config: TransformerLSConfig): Promise<ThroughputEntry> {
  const { scale, budget, createCpu, log } = options;
  const { backend, fused } = cpuWithFusedKernels(createCpu);
  const { kind, threads } = backend.capabilities.info;
  const entry: ThroughputEntry = {
    backend: 'cpu', device: `${backend.name} (${String(kind)})`, threads: typeof threads === 'number' ? threads : 1, fused_attention: fused, software: false,
    result: { skipped: '' },
  };
  entry.result = await onBackend(backend, async () => measureTrainingThroughput(corpus, config, { ...scale.throughput, ...optimizer }, budget, scale.throughput.capSeconds))
    .catch((error: unknown) => ({ error: message(error) }));
  log(`training throughput, cpu: ${isResult(entry.result) ? `${entry.result.tokens_per_second.toFixed(0)} tokens/s` : JSON.stringify(entry.result)}`);
  return entry;
}

async function throughputOnWebGPU(options: Required<Omit<LmSuiteOptions, 'corpus' | 'config'>>, corpus: Corpus, config: TransformerLSConfig): Promise<ThroughputEntry> {
  const { scale, budget, createWebGPU, log } = options;
  let created: Awaited<ReturnType<typeof createWebGPU>>;
  try {
    created = await createWebGPU();
  } catch (error) {
    log(`training throughput, webgpu: unavailable: ${message(error)}`);
    return { backend: 'webgpu', device: 'none', threads: null, fused_attention: null, software: false, result: { skipped: `WebGPU unavailable: ${message(error)}` } };
  }
  const { backend, adapter } = created;
  const entry: ThroughputEntry = {
    backend: 'webgpu', device: adapter.description || adapter.device, threads: null, fused_attention: null, adapter, software: adapter.software, result: { skipped: '' },
  };
  entry.result = await onBackend(backend, async () => measureTrainingThroughput(corpus, config, { ...scale.throughput, ...optimizer }, budget, scale.throughput.capSeconds))
    .catch((error: unknown) => ({ error: message(error) }));
  log(`training throughput, webgpu (${entry.device}${adapter.software ? ', software' : ''}): ${isResult(entry.result) ? `${entry.result.tokens_per_second.toFixed(1)} tokens/s` : JSON.stringify(entry.result)}`);
  return entry;
}

/**
 * Runs the suite: training throughput (CPU, WebGPU), the generation series and the BPC comparison
 * (CPU, each on a fresh backend with the fused kernels); returns the report (errors are recorded in
 * it, not thrown).
 * @example const report = await runLmSuite({ scale: lmScales.quick, budget });
 */
export async function runLmSuite(options: LmSuiteOptions): Promise<LmReport> {
  const { scale, budget, log = () => {} } = options;
  const loadAtStart = os.loadavg()[0];
  const corpus = options.corpus ?? await loadCorpus();
  const config = options.config ?? { ...presets.small, vocabSize: corpus.vocab.size };
  checkLmScale(scale, config, budget);
  const full = decodeConfig(config, 'full', config.memLen);
  log(`corpus ${corpus.name}: ${corpus.train.length} training characters, vocabulary ${corpus.vocab.size}`);
  const resolved = { scale, budget, log, createCpu: options.createCpu ?? (() => createCpuBackend()), createWebGPU: options.createWebGPU ?? createNodeWebGPUBackend };
  const previous = getBackend();
  try {
    const throughput = [await throughputOnCpu(resolved, corpus, config), await throughputOnWebGPU(resolved, corpus, config)];

    const series: DecodePoint[] = [];
    for (const context of scale.contexts) {
      for (const method of decodeMethods) {
        const result: Outcome<DecodeRun> = await onBackend(cpuWithFusedKernels(resolved.createCpu).backend, async () => timeDecoder(config, method, context, scale.decodeSegment, budget))
          .catch((error: unknown) => ({ error: message(error) }));
        series.push({ context, method, attended_keys: attendedKeys(config, method, context), result });
        log(`generation ${method} context ${context}: ${isResult(result) ? `${result.median_ms.toFixed(2)} ms/token (${result.runs} pushes)` : JSON.stringify(result)}`);
      }
    }
    const ratioOf = (method: DecodeMethod) => costRatio(series.flatMap((p) => (p.method === method && isResult(p.result) ? [{ context: p.context, ms: p.result.median_ms }] : [])));

    const bpc = {} as Record<DecodeMethod, Outcome<BpcResult>>;
    for (const [method, modelConfig] of [['long-short', config], ['full', full]] as const) {
      log(`bpc ${method}: training for ${scale.bpc.trainSeconds} s`);
      bpc[method] = await onBackend(cpuWithFusedKernels(resolved.createCpu).backend, async () => trainAndEvaluate(corpus, modelConfig, bpcShape, scale.bpc.trainSeconds, scale.bpc.validChars))
        .catch((error: unknown) => ({ error: message(error) }));
      const entry = bpc[method];
      log(`bpc ${method}: ${isResult(entry) ? `${entry.bpc.toFixed(3)} after ${entry.steps} steps` : JSON.stringify(entry)}`);
    }

    return {
      suite: 'lm',
      timestamp: new Date().toISOString(),
      commit: currentCommit(),
      machine: machineInfo(),
      load_average: { start: loadAtStart, end: os.loadavg()[0] },
      scale,
      budget,
      corpus: { name: corpus.name, vocab_size: corpus.vocab.size, train_chars: corpus.train.length, valid_chars: corpus.valid.length },
      models: { 'long-short': { config, parameters: parameterCount(config) }, full: { config: full, parameters: parameterCount(full) } },
      definitions: {
        training_throughput: `train() on ${corpus.name}'s training split, batch × segment as recorded, AdamW lr ${optimizer.lr}, gradient clip ${optimizer.gradClip}, dropout on; a step's time is train()'s own (forward, backward, clipping, AdamW, loss read back); median of the timed steps after budget.warmupRuns untimed ones; tokens/s = batch·segment ÷ median`,
        generation: `ms per generated token: median time of one decoder push (one token through every layer, log-probabilities read back) with memLen = context, starting from random memories (1, context, D) per layer; all pushes in the decoder's first segment of ${scale.decodeSegment} tokens, so the once-per-segment memory update (O(context)) is not included`,
        attended_keys: 'long-short: W window keys + context/ℓ·r compressed vectors (spec D.2: the compressed part grows with the context, ℓ/r = 16× slower than full attention); full: context + 1 keys',
        ratio: 'median ms/token at the largest context ÷ at the smallest, per method',
        bpc: `each model trained from the same seed on the same data order for trainSeconds of train() time (batch ${bpcShape.batchSize} × segment ${bpcShape.segmentLength}), then evaluateBpc on the first validChars characters of the validation split (batch 8 × segment 128, memories carried)`,
        full_attention: 'matchedFullAttentionConfig: attention \'full\' (Transformer-XL with the same relative positions), dInner raised to match the parameter count',
      },
      training_throughput: throughput,
      generation: { series, ratios: { 'long-short': ratioOf('long-short'), full: ratioOf('full') } },
      bpc,
      notes: [
        'timings on a software WebGPU adapter (SwiftShader, a fallback adapter) are recorded as software: they measure the CPU emulation and carry no target',
        `long-short attention per token still grows with the context: ${scale.contexts.map((c) => `${attendedKeys(config, 'long-short', c)} keys at ${c}`).join(', ')} (W + memLen/ℓ·r), against memLen + 1 for full attention`,
        'the machine may run other work: load_average records the 1-minute load at the start and the end',
      ],
    };
  } finally {
    setBackend(previous);
  }
}

/** Whether the report holds a failure (an `error` outcome); a skipped backend is not one. */
export function lmFailed(report: LmReport): boolean {
  const outcomes = [...report.training_throughput.map((t) => t.result), ...report.generation.series.map((p) => p.result), ...Object.values(report.bpc)];
  return outcomes.some((o) => 'error' in o);
}

const contextLabel = (n: number) => (n >= 1024 ? `${n / 1024}K` : String(n));
const outcomeText = (outcome: Outcome<object>) => ('error' in outcome ? `error: ${outcome.error}` : 'skipped' in outcome ? `skipped: ${outcome.skipped}` : '');
const spread = (r: { p10_ms: number; p90_ms: number }, digits: number) => `${fixed(r.p10_ms, digits)}–${fixed(r.p90_ms, digits)}`;

/** The report as plain-text tables: training throughput, generation cost, BPC. */
export function formatLmTable(report: LmReport): string {
  const throughput = report.training_throughput.map((t) => {
    const r = t.result;
    const head = [t.backend, `${t.device}${t.software ? ' (software: no target)' : ''}`, t.threads === null ? '' : String(t.threads), t.fused_attention ?? ''];
    if (!isResult(r)) return [...head, '', '', '', '', '', outcomeText(r)];
    return [...head, `${r.batch_size}×${r.segment_length}`, `${r.runs} (+${r.warmup_steps})`, fixed(r.median_ms, 0), spread(r, 0), fixed(r.tokens_per_second, 1), r.stopped ?? ''];
  });
  const generation = report.generation.series.map((p) => [
    contextLabel(p.context), p.method, String(p.attended_keys),
    ...(isResult(p.result) ? [fixed(p.result.build_ms, 0), String(p.result.runs), fixed(p.result.median_ms, 2), spread(p.result, 2)] : ['', '', outcomeText(p.result), '']),
  ]);
  const ratios = decodeMethods.map((method) => {
    const ratio = report.generation.ratios[method];
    return [method, ratio ? `cost(${contextLabel(ratio.to_context)}) ÷ cost(${contextLabel(ratio.from_context)})` : '', ratio ? fixed(ratio.ratio, 2) : 'fewer than two measured contexts'];
  });
  const bpc = decodeMethods.map((method) => {
    const r = report.bpc[method];
    const parameters = String(report.models[method].parameters);
    if (!isResult(r)) return [method, parameters, '', '', '', '', '', outcomeText(r)];
    return [method, parameters, String(r.steps), String(r.tokens), fixed(r.train_seconds, 1), fixed(r.tokens_per_second, 0), String(r.valid_chars), fixed(r.bpc, 3)];
  });
  return [
    alignTable(['backend', 'device', 'threads', 'fused attention', 'batch×seg', 'steps', 'median ms/step', 'p10–p90', 'tokens/s', 'note'], throughput),
    '',
    alignTable(['context', 'method', 'keys/query', 'build ms', 'pushes', 'ms/token', 'p10–p90'], generation),
    '',
    alignTable(['method', 'ratio', 'value'], ratios),
    '',
    alignTable(['method', 'parameters', 'steps', 'tokens', 'train s', 'tokens/s', 'valid chars', 'BPC'], bpc),
  ].join('\n');
}

const methodColors: Record<DecodeMethod, string> = { 'long-short': '#1f77b4', full: '#d62728' };

/**
 * The report's charts: ms/token against the context (log-log), and per model the training loss
 * against tokens seen with its validation BPC as a point at the end (log-log, base 2).
 * @example writeFileSync('lm.generation.svg', chartsSvg(lmCharts(report).generation))
 */
export function lmCharts(report: LmReport): { generation: LineChart[]; bpc: LineChart[] } {
  const generation: Series[] = decodeMethods.map((method) => ({
    name: `${method} (${method === 'full' ? 'memLen + 1 keys' : 'W + memLen/ℓ·r keys'})`, color: methodColors[method],
    points: report.generation.series.flatMap((p) => (p.method === method && isResult(p.result) ? [[p.context, p.result.median_ms] as const] : [])),
  }));
  const bpc: Series[] = decodeMethods.flatMap((method) => {
    const r = report.bpc[method];
    if (!isResult(r)) return [];
    const tokensPerStep = r.tokens / Math.max(r.steps, 1);
    return [
      { name: `${method} training loss`, color: methodColors[method], dashed: true, points: r.train_bpc.map((value, i) => [(i + 1) * tokensPerStep, value] as const) },
      { name: `${method} validation BPC ${fixed(r.bpc, 3)} (${report.models[method].parameters} parameters)`, color: methodColors[method], points: [[r.tokens, r.bpc]] },
    ];
  });
  const cpu = report.training_throughput.find((t) => t.backend === 'cpu');
  return {
    generation: [{
      title: `generation cost per token (${cpu?.device ?? 'cpu'}, ${cpu?.threads ?? 1} threads)`,
      x: { label: 'context = memLen (characters)', base: 2, format: contextLabel }, y: { label: 'median ms per token' }, series: generation,
    }],
    bpc: [{
      title: `BPC after ${report.scale.bpc.trainSeconds} s of training each`, x: { label: 'training tokens seen' }, y: { label: 'bits per character', base: 2 }, series: bpc,
    }],
  };
}
