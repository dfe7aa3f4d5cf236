// The `longshort` subcommands: train, eval, generate, info. Results go to stdout, progress bars and
// notes to stderr. Each command returns its exit code; errors propagate to main() (typed errors).
import { stat } from 'node:fs/promises';
import { loadCorpus, type Corpus } from '../data/corpus.js';
import { evaluateBpc } from '../eval/evaluate.js';
import { generate, type GenerateOptions } from '../generate/generate.js';
import { loadModel, readCheckpointConfig } from '../train/checkpoint.js';
import { loadAuthorsModel } from '../transformer-ls/authors-checkpoint.js';
import { train, type TrainProgress } from '../train/trainer.js';
import { parameterCount, presets, type TransformerLSConfig } from '../transformer-ls/config.js';
import type { TransformerLSModel } from '../transformer-ls/model.js';
import type { Vocabulary } from '../data/vocabulary.js';
import { UsageError, formatHelp, type FlagSpecs, type Flags } from './args.js';
import { useBackend, type BackendName } from './backend.js';
import { ProgressBar, formatDuration, type ProgressStream } from './progress.js';

/** Where a command writes (process.stdout / process.stderr in the CLI; buffers in tests). */
export interface CliIO {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  /** Aborted on Ctrl-C: training stops after the current step and saves a checkpoint. */
  readonly signal?: AbortSignal;
}

const common: FlagSpecs = {
  backend: { type: 'string', choices: ['cpu', 'webgpu'], default: 'cpu', help: 'where tensors live' },
  quiet: { type: 'boolean', help: 'no progress bars' },
  help: { type: 'boolean', help: 'show this help' },
};

/** Model flags: a preset, and per-field overrides (camelCase config keys in kebab-case). */
const modelFlags: FlagSpecs = {
  preset: { type: 'string', choices: Object.keys(presets), help: 'model preset (default small)' },
  'd-model': { type: 'int', min: 2, help: 'width D' },
  'd-inner': { type: 'int', min: 1, help: 'feed-forward width' },
  heads: { type: 'int', min: 1, help: 'attention heads' },
  layers: { type: 'int', min: 1, help: 'layers' },
  'mem-len': { type: 'int', min: 1, help: 'memory length L' },
  'chunk-size': { type: 'int', min: 1, help: 'dynamic-projection chunk size' },
  'chunk-rank': { type: 'int', min: 1, help: 'compressed vectors per chunk' },
  window: { type: 'int', min: 1, help: 'attention window W' },
  dropout: { type: 'number', min: 0, help: 'dropout probability' },
};

const modelKeys: Record<string, keyof TransformerLSConfig> = {
  'd-model': 'dModel', 'd-inner': 'dInner', heads: 'nHead', layers: 'nLayer', 'mem-len': 'memLen',
  'chunk-size': 'chunkSize', 'chunk-rank': 'chunkRank', window: 'windowLen', dropout: 'dropout',
};

const samplingFlags: FlagSpecs = {
  prompt: { type: 'string', default: 'The ', value: 'text', help: 'text to start from' },
  temperature: { type: 'number', min: 0, default: 0.8, help: 'sampling temperature (0 = greedy)' },
  'top-k': { type: 'int', min: 0, default: 0, help: 'keep the k most likely bytes (0 = all)' },
  'top-p': { type: 'number', default: 0.95, help: 'nucleus sampling mass' },
  seed: { type: 'int', min: 0, default: 0, help: 'sampling seed' },
};

const dataFlag: FlagSpecs = { data: { type: 'string', value: 'path', help: 'a text or byte file (default: the Brown corpus)' } };

const trainFlags: FlagSpecs = {
  ...dataFlag,
  ...modelFlags,
  batch: { type: 'int', min: 1, help: 'streams per batch B (default 16)' },
  segment: { type: 'int', min: 1, help: 'tokens per segment T (default 128)' },
  lr: { type: 'number', min: 0, help: 'peak learning rate (default 2e-3)' },
  'weight-decay': { type: 'number', min: 0, help: 'AdamW weight decay (default 0.01)' },
  clip: { type: 'number', min: 0, help: 'gradient-norm clip (default 1)' },
  warmup: { type: 'int', min: 1, help: 'warm-up steps (default 5% of --steps, or 10)' },
  'train-seed': { type: 'int', min: 0, help: 'initialisation / dropout seed (default 0)' },
  steps: { type: 'int', min: 0, help: 'optimizer steps to run' },
  time: { type: 'number', min: 0, value: 'seconds', help: 'training time budget' },
  'checkpoint-dir': { type: 'string', value: 'dir', help: 'where checkpoints go' },
  'checkpoint-every': { type: 'number', min: 0, default: 60, value: 'seconds', help: 'checkpoint interval' },
  resume: { type: 'string', value: 'dir', help: 'continue from a checkpoint' },
  'eval-tokens': { type: 'int', min: 0, default: 0, help: 'after training, validation BPC on the first N characters (0 = none)' },
  'eval-batch': { type: 'int', min: 1, default: 8, help: 'streams per evaluation batch' },
  sample: { type: 'int', min: 0, default: 0, value: 'bytes', help: 'after training, generate this many bytes' },
  ...samplingFlags,
  ...common,
};

/** An authors' checkpoint file (fairseq .pt, torch.save state dict, safetensors) needs its character dictionary. */
const dictFlag: FlagSpecs = { dict: { type: 'string', value: 'path', help: "with an authors' checkpoint file: its fairseq dict.txt" } };

const evalFlags: FlagSpecs = {
  checkpoint: { type: 'string', value: 'dir|file', help: "the model to evaluate (required): a checkpoint folder, or an authors' .pt / .safetensors file" },
  ...dictFlag,
  ...dataFlag,
  split: { type: 'string', choices: ['train', 'valid', 'test'], default: 'test', help: 'which 90/5/5 part' },
  'max-tokens': { type: 'int', min: 1, help: 'score only the first N characters' },
  batch: { type: 'int', min: 1, default: 8, help: 'streams evaluated together' },
  segment: { type: 'int', min: 1, help: "tokens per segment (default: the checkpoint's training segment, or 128)" },
  ...common,
};

const generateFlags: FlagSpecs = {
  checkpoint: { type: 'string', value: 'dir|file', help: "the model (required): a checkpoint folder, or an authors' .pt / .safetensors file" },
  ...dictFlag,
  length: { type: 'int', min: 0, default: 500, value: 'bytes', help: 'bytes to generate' },
  ...samplingFlags,
  segment: { type: 'int', min: 1, help: "memory segment length (default: the checkpoint's training segment, or 128)" },
  decoder: { type: 'string', choices: ['incremental', 'segment'], default: 'incremental', help: 'incremental (fast) or re-run the segment per byte' },
  ...common,
};

const infoFlags: FlagSpecs = {
  checkpoint: { type: 'string', value: 'dir', help: 'describe a checkpoint' },
  ...modelFlags,
  'vocab-size': { type: 'int', min: 1, default: 256, help: 'vocabulary size for a preset' },
  help: common.help,
};

export interface Command {
  readonly summary: string;
  readonly flags: FlagSpecs;
  readonly run: (flags: Flags, io: CliIO) => Promise<number>;
}

const println = (stream: ProgressStream, text = '') => stream.write(`${text}\n`);
const fixed = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
const integer = (v: number) => Math.round(v).toLocaleString('en-US');

/** The model config from --preset and the per-field flags. */
function configFromFlags(flags: Flags, vocabSize: number): TransformerLSConfig {
  const preset = presets[(flags.preset as keyof typeof presets | undefined) ?? 'small'];
  const config: TransformerLSConfig = { ...preset, vocabSize };
  for (const [flag, key] of Object.entries(modelKeys)) if (flags[flag] !== undefined) (config as unknown as Record<string, number>)[key] = flags[flag] as number;
  return config;
}

const hasModelFlags = (flags: Flags) => Object.keys(modelFlags).some((k) => flags[k] !== undefined);

function describeConfig(config: TransformerLSConfig): string {
  return Object.entries(config).map(([k, v]) => `${k} ${v}`).join(', ');
}

async function loadData(flags: Flags, vocab?: Vocabulary): Promise<Corpus> {
  return loadCorpus({ path: flags.data as string | undefined, vocab });
}

async function trainCommand(flags: Flags, io: CliIO): Promise<number> {
  if (flags.steps === undefined && flags.time === undefined) throw new UsageError('longshort train', '--steps', 'a number of steps (--steps) or a time budget (--time)', 'neither');
  const backend = await useBackend(flags.backend as BackendName);
  const resume = flags.resume as string | undefined;
  const vocab = resume === undefined ? undefined : (await readCheckpointConfig(resume)).vocab;
  const corpus = await loadData(flags, vocab);
  const config = resume === undefined || hasModelFlags(flags) ? configFromFlags(flags, corpus.vocab.size) : undefined;
  const hyper = Object.fromEntries(Object.entries({
    batchSize: flags.batch, segmentLength: flags.segment, lr: flags.lr, weightDecay: flags['weight-decay'], gradClip: flags.clip, seed: flags['train-seed'],
  }).filter(([, v]) => v !== undefined));
  println(io.stderr, `data: ${corpus.name}, ${integer(corpus.train.length)} / ${integer(corpus.valid.length)} / ${integer(corpus.test.length)} train / valid / test characters, vocabulary ${corpus.vocab.size} bytes`);
  if (config) println(io.stderr, `model: ${describeConfig(config)}; ${integer(parameterCount(config))} parameters; backend ${backend}`);
  if (resume !== undefined) println(io.stderr, `resuming from ${resume}`);
  const bar = new ProgressBar('train', { stream: io.stderr, quiet: flags.quiet === true });
  const result = await train({
    data: corpus.train, vocab: corpus.vocab, config, hyper, resume,
    steps: flags.steps as number | undefined, timeBudgetSeconds: flags.time as number | undefined,
    plan: flags.warmup === undefined ? undefined : { warmupSteps: flags.warmup as number },
    checkpointDir: flags['checkpoint-dir'] as string | undefined, checkpointEverySeconds: flags['checkpoint-every'] as number,
    signal: io.signal,
    onProgress: (p: TrainProgress) => bar.update(p.fraction, {
      step: String(p.step), 'tok/s': integer(p.tokensPerSecond), loss: fixed(p.loss), bpc: fixed(p.bpc), lr: p.lr.toExponential(2), ETA: formatDuration(p.etaSeconds),
    }),
  });
  bar.done();
  const { model } = result;
  try {
    const recent = result.losses.slice(-20);
    const meanBpc = recent.reduce((a, b) => a + b, 0) / Math.max(1, recent.length) / Math.LN2;
    println(io.stdout, `trained ${result.step} steps (${integer(result.tokens)} tokens, ${formatDuration(result.elapsedSeconds)} of training), ${integer(result.tokensPerSecond)} tokens/s; training BPC (last ${recent.length} steps) ${fixed(meanBpc)}`);
    if (result.checkpointPath) println(io.stdout, `checkpoint: ${result.checkpointPath}`);
    const evalTokens = flags['eval-tokens'] as number;
    if (evalTokens > 0) {
      const tokens = Math.min(evalTokens, corpus.valid.length - 1);
      const evaluation = await evaluateWithBar(model, corpus.valid, { batchSize: flags['eval-batch'] as number, segmentLength: result.hyper.segmentLength, maxTokens: tokens }, io, flags.quiet === true);
      println(io.stdout, `validation BPC ${fixed(evaluation.bpc, 4)} on the first ${integer(evaluation.tokens)} characters of the validation split (${formatDuration(evaluation.seconds)}, ${integer(evaluation.tokensPerSecond)} tokens/s)`);
    }
    const sample = flags.sample as number;
    if (sample > 0) await sampleTo(io, model, corpus.vocab, { ...samplingOptions(flags), maxTokens: sample, segmentLength: result.hyper.segmentLength });
  } finally {
    model.dispose();
  }
  return 0;
}

async function evaluateWithBar(model: TransformerLSModel, ids: Int32Array, options: { batchSize: number; segmentLength: number; maxTokens?: number }, io: CliIO, quiet: boolean) {
  const bar = new ProgressBar('eval ', { stream: io.stderr, quiet });
  const result = await evaluateBpc(model, ids, {
    ...options,
    onProgress: (p) => bar.update(p.fraction, { chars: `${integer(p.tokens)}/${integer(p.total)}`, 'tok/s': integer(p.tokensPerSecond), bpc: fixed(p.bpc), ETA: formatDuration(p.etaSeconds) }),
  });
  bar.done();
  return result;
}

function samplingOptions(flags: Flags): Omit<GenerateOptions, 'maxTokens'> & { prompt: string } {
  return { prompt: flags.prompt as string, temperature: flags.temperature as number, topK: flags['top-k'] as number, topP: flags['top-p'] as number, seed: flags.seed as number };
}

/** Streams the prompt and the generated bytes to stdout. */
async function sampleTo(io: CliIO, model: TransformerLSModel, vocab: Vocabulary, options: GenerateOptions & { prompt: string }): Promise<void> {
  const prompt = new TextEncoder().encode(options.prompt);
  println(io.stderr, `sample (temperature ${options.temperature}, top-k ${options.topK}, top-p ${options.topP}, seed ${options.seed}):`);
  io.stdout.write(prompt);
  const started = performance.now();
  let count = 0;
  for await (const token of generate(model, vocab, prompt, options)) {
    io.stdout.write(Uint8Array.of(token.byte));
    count += 1;
  }
  println(io.stdout);
  println(io.stderr, `(${count} bytes, ${fixed(count / ((performance.now() - started) / 1000), 1)} bytes/s)`);
}

function requireCheckpoint(command: string, flags: Flags): string {
  const path = flags.checkpoint as string | undefined;
  if (path === undefined) throw new UsageError(`longshort ${command}`, '--checkpoint', "a checkpoint folder or an authors' checkpoint file", 'nothing');
  return path;
}

/**
 * The model of --checkpoint: our checkpoint folder, or a file in the authors' formats (fairseq
 * checkpoint, torch.save state dict, safetensors; --dict maps a fairseq dictionary onto bytes).
 */
async function loadAnyModel(command: string, flags: Flags): Promise<Awaited<ReturnType<typeof loadModel>>> {
  const path = requireCheckpoint(command, flags);
  const dictionary = flags.dict as string | undefined;
  const isFile = await stat(path).then((s) => s.isFile(), () => false);
  if (!isFile) {
    if (dictionary !== undefined) throw new UsageError(`longshort ${command}`, '--dict', "an authors' checkpoint file in --checkpoint", 'a checkpoint folder');
    return loadModel(path);
  }
  const { model, vocab } = await loadAuthorsModel(path, { dictionary });
  return { model: model.eval(), vocab, path };
}

async function evalCommand(flags: Flags, io: CliIO): Promise<number> {
  await useBackend(flags.backend as BackendName);
  const { model, vocab, state } = await loadAnyModel('eval', flags);
  try {
    const corpus = await loadData(flags, vocab);
    const split = flags.split as 'train' | 'valid' | 'test';
    const segmentLength = (flags.segment as number | undefined) ?? state?.hyper.segmentLength ?? 128;
    const result = await evaluateWithBar(model, corpus[split], { batchSize: flags.batch as number, segmentLength, maxTokens: flags['max-tokens'] as number | undefined }, io, flags.quiet === true);
    println(io.stdout, `${split} BPC ${fixed(result.bpc, 4)} over ${integer(result.tokens)} characters of ${corpus.name} (segments of ${segmentLength}, ${formatDuration(result.seconds)}, ${integer(result.tokensPerSecond)} tokens/s)`);
  } finally {
    model.dispose();
  }
  return 0;
}

async function generateCommand(flags: Flags, io: CliIO): Promise<number> {
  await useBackend(flags.backend as BackendName);
  const { model, vocab, state } = await loadAnyModel('generate', flags);
  try {
    const segmentLength = (flags.segment as number | undefined) ?? state?.hyper.segmentLength ?? 128;
    await sampleTo(io, model, vocab, { ...samplingOptions(flags), maxTokens: flags.length as number, segmentLength, decoder: flags.decoder as 'incremental' | 'segment' });
  } finally {
    model.dispose();
  }
  return 0;
}

async function infoCommand(flags: Flags, io: CliIO): Promise<number> {
  const path = flags.checkpoint as string | undefined;
  if (path !== undefined && hasModelFlags(flags)) throw new UsageError('longshort info', '--checkpoint', '--checkpoint or model flags (--preset, …)', 'both');
  const found = path === undefined ? null : await readCheckpointConfig(path);
  const config = found?.config ?? configFromFlags(flags, flags['vocab-size'] as number);
  println(io.stdout, found ? `checkpoint ${found.path}` : `preset ${(flags.preset as string | undefined) ?? 'small'}${Object.keys(modelKeys).some((k) => flags[k] !== undefined) ? ' (with overrides)' : ''}`);
  const ordered: (keyof TransformerLSConfig)[] = [
    'vocabSize', 'dModel', 'dInner', 'nHead', 'nLayer', 'memLen', 'chunkSize', 'chunkRank', 'windowLen', 'dropout', 'preLn', 'useGelu', 'useBias', 'layerNormEps',
  ];
  const width = Math.max(...ordered.map((k) => k.length));
  for (const key of ordered) println(io.stdout, `  ${key.padEnd(width)}  ${config[key]}`);
  println(io.stdout, `parameters ${integer(parameterCount(config))}`);
  if (found) {
    println(io.stdout, `vocabulary ${found.vocab.size} bytes: ${JSON.stringify(new TextDecoder('latin1').decode(Uint8Array.from(found.vocab.bytes)))}`);
    const { state } = found;
    if (state) {
      println(io.stdout, `training: step ${state.step}, ${integer(state.tokens)} tokens, ${formatDuration(state.elapsedSeconds)} of training, epoch ${state.data.epoch}, batch ${state.hyper.batchSize} × ${state.hyper.segmentLength}, lr ${state.hyper.lr}`);
    }
  }
  return 0;
}

/** The subcommands by name. */
export const commands: Readonly<Record<string, Command>> = {
  train: { summary: 'Trains a model (default: the small preset on the Brown corpus), with checkpoints, evaluation and a sample.', flags: trainFlags, run: trainCommand },
  eval: { summary: 'Bits per character of a checkpoint over a split (every character counted once, memories carried).', flags: evalFlags, run: evalCommand },
  generate: { summary: 'Streams text sampled from a checkpoint.', flags: generateFlags, run: generateCommand },
  info: { summary: 'Prints the config and parameter count of a preset or a checkpoint.', flags: infoFlags, run: infoCommand },
};

/** Help for one command. @example commandHelp('train') */
export function commandHelp(name: string): string {
  const command = commands[name];
  return formatHelp(name, command.summary, command.flags);
}
