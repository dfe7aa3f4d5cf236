// The training loop (spec B.8, fairseq `truncated_bptt_lm` with the authors' model): B contiguous
// streams fed segment by segment with the memories carried across segments (truncated BPTT),
// mean NLL per segment, AdamW, gradient clipping, a linear warm-up then cosine learning rate,
// dropout from the seeded default generator, and atomic checkpoints from which a resume continues
// bit-identically (same losses as an uninterrupted run on the CPU backend).
import {
  AdamW, ConfigError, LambdaLR, clipGradNorm, defaultGenerator, fromArray, manualSeed, tidy,
  warmupCosineFactor, type AdamWHyperparameters, type AdamWState, type OptimizerStateDict, type Tensor,
} from '@longshort/tensor';
import { TokenStreams } from '../data/streams.js';
import { blockLength } from '../eval/evaluate.js';
import type { Vocabulary } from '../data/vocabulary.js';
import { validateTransformerLSConfig, type TransformerLSConfig } from '../transformer-ls/config.js';
import { segmentLoss } from '../transformer-ls/loss.js';
import { TransformerLSModel } from '../transformer-ls/model.js';
import { disposeCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint, type LrPlan, type TrainHyperparameters, type TrainingState } from './checkpoint.js';
import { initializeForTraining } from './init.js';

/** What a progress callback receives after every optimizer step. */
export interface TrainProgress {
  /** Optimizer steps done (over the whole run, resumes included). */
  readonly step: number;
  readonly epoch: number;
  /** Training tokens consumed (whole run). */
  readonly tokens: number;
  /** This step's mean loss (nats per character) and the same in bits. */
  readonly loss: number;
  readonly bpc: number;
  readonly lr: number;
  /** The gradient norm before clipping. */
  readonly gradNorm: number;
  /** Training time (whole run). */
  readonly elapsedSeconds: number;
  /** Over this call's steps. */
  readonly tokensPerSecond: number;
  /** Fraction of this call's step or time budget done, in [0, 1]. */
  readonly fraction: number;
  /** Estimated seconds left in this call. */
  readonly etaSeconds: number;
}

export interface TrainOptions {
  /** Encoded training ids (e.g. corpus.train) and their vocabulary (saved with checkpoints). */
  readonly data: Int32Array;
  readonly vocab: Vocabulary;
  /** The model (vocabSize must equal vocab.size). Taken from the checkpoint when resuming. */
  readonly config?: TransformerLSConfig;
  /** Defaults: batch 16 × segment 128, lr 2e-3, weight decay 0.01, betas [0.9, 0.999], eps 1e-8, clip 1, seed 0. */
  readonly hyper?: Partial<TrainHyperparameters>;
  /** Optimizer steps to run in this call. */
  readonly steps?: number;
  /** Wall-clock seconds of training in this call (checked after each step). */
  readonly timeBudgetSeconds?: number;
  /**
   * The learning-rate plan. Default: warm-up over 5% of the steps (at least 1, at most 100) or 10
   * steps with a time budget, cosine to 0.1·lr at the end of `steps` or of the time budget.
   */
  readonly plan?: Partial<LrPlan>;
  /** A checkpoint (folder or root) to continue from: model, optimizer, schedule, RNG, data position, memories. */
  readonly resume?: string;
  /** Root folder for checkpoints (written every `checkpointEverySeconds`, on abort, and at the end). */
  readonly checkpointDir?: string;
  readonly checkpointEverySeconds?: number;
  /** Stops after the current step (a checkpoint is still written). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TrainProgress) => void;
}

export interface TrainResult {
  /** The trained model (in eval mode); the caller owns it. */
  readonly model: TransformerLSModel;
  readonly config: TransformerLSConfig;
  readonly vocab: Vocabulary;
  /** The hyperparameters used (the checkpoint's when resuming). */
  readonly hyper: TrainHyperparameters;
  /** The loss (nats) of every step of this call. */
  readonly losses: number[];
  readonly step: number;
  readonly tokens: number;
  readonly elapsedSeconds: number;
  /** Tokens per second over this call. */
  readonly tokensPerSecond: number;
  /** The last checkpoint folder written, if any. */
  readonly checkpointPath?: string;
}

const DEFAULT_HYPER: TrainHyperparameters = { batchSize: 16, segmentLength: 128, lr: 2e-3, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, gradClip: 1, seed: 0 };

/** The keys on which two objects differ, as `key: a ≠ b`. */
function differences(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k]))
    .map((k) => `${k}: ${JSON.stringify((a as Record<string, unknown>)[k])} ≠ ${JSON.stringify((b as Record<string, unknown>)[k])}`);
}

function defaultPlan(options: TrainOptions, start: { step: number; elapsedSeconds: number }): LrPlan {
  const { steps, timeBudgetSeconds, plan = {} } = options;
  const minLrRatio = plan.minLrRatio ?? 0.1;
  if (plan.totalSteps !== undefined || plan.totalSeconds !== undefined) return { warmupSteps: plan.warmupSteps ?? 10, minLrRatio, ...plan };
  if (steps !== undefined) {
    return { warmupSteps: plan.warmupSteps ?? Math.min(100, Math.max(1, Math.round(0.05 * steps))), minLrRatio, totalSteps: start.step + steps };
  }
  return { warmupSteps: plan.warmupSteps ?? 10, minLrRatio, totalSeconds: start.elapsedSeconds + timeBudgetSeconds! };
}

/**
 * The learning-rate factor of a plan at a step and a training time: (step + 1)/warmupSteps during
 * warm-up, then a half cosine from 1 to minLrRatio over the steps (or the seconds) of the plan.
 * @example lrFactor({ warmupSteps: 10, minLrRatio: 0.1, totalSeconds: 300 }, 50, 150) // 0.55
 */
export function lrFactor(plan: LrPlan, step: number, elapsedSeconds: number): number {
  const { warmupSteps, minLrRatio, totalSteps, totalSeconds } = plan;
  if (totalSteps !== undefined) return warmupCosineFactor(step, { warmupSteps, totalSteps: Math.max(totalSteps, warmupSteps), minLrRatio });
  if (step < warmupSteps) return (step + 1) / warmupSteps;
  const progress = Math.min(1, elapsedSeconds / totalSeconds!);
  return minLrRatio + 0.5 * (1 + Math.cos(Math.PI * progress)) * (1 - minLrRatio);
}

function validateOptions(options: TrainOptions, config: TransformerLSConfig, hyper: TrainHyperparameters): void {
  const { steps, timeBudgetSeconds } = options;
  if (steps === undefined && timeBudgetSeconds === undefined) throw new ConfigError('train', 'steps', 'a number of steps or a timeBudgetSeconds', 'neither');
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 0)) throw new ConfigError('train', 'steps', 'an integer >= 0', String(steps));
  if (timeBudgetSeconds !== undefined && !(timeBudgetSeconds > 0)) throw new ConfigError('train', 'timeBudgetSeconds', 'a number > 0', String(timeBudgetSeconds));
  for (const key of ['batchSize', 'segmentLength'] as const) {
    if (!(Number.isInteger(hyper[key]) && hyper[key] > 0)) throw new ConfigError('train', key, 'a positive integer', String(hyper[key]));
  }
  const T = hyper.segmentLength;
  if (T % config.chunkSize !== 0 || blockLength(T, config) !== T) {
    throw new ConfigError('train', 'segmentLength', `a multiple of chunkSize ${config.chunkSize}, and of windowLen ${config.windowLen} when longer than it (spec E.8)`, String(T));
  }
  if (!(hyper.gradClip > 0)) throw new ConfigError('train', 'gradClip', 'a number > 0', String(hyper.gradClip));
}

/**
 * Trains (or continues training) a TransformerLSModel on a token sequence.
 * @example
 * const corpus = await loadCorpus();
 * const { model } = await train({ data: corpus.train, vocab: corpus.vocab, config: { ...presets.small, vocabSize: corpus.vocab.size }, timeBudgetSeconds: 300 });
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const checkpoint = options.resume === undefined ? null : await loadCheckpoint(options.resume);
  try {
    const saved = checkpoint?.training?.state;
    if (checkpoint && !saved) throw new ConfigError('train', 'resume', 'a checkpoint with training state (training.json)', `'${checkpoint.path}' holds weights only`);
    const config = checkpoint?.config ?? options.config;
    if (!config) throw new ConfigError('train', 'config', 'a model config (or a checkpoint to resume)', 'none');
    validateTransformerLSConfig(config);
    if (checkpoint && options.config) {
      const diff = differences(checkpoint.config, options.config);
      if (diff.length) throw new ConfigError('train', 'config', "the checkpoint's model config", `a different one (${diff.join('; ')})`, 'omit the model flags when resuming, or start a new run.');
    }
    if (config.vocabSize !== options.vocab.size) throw new ConfigError('train', 'vocabSize', `the vocabulary's size ${options.vocab.size}`, String(config.vocabSize));
    if (checkpoint && checkpoint.vocab.bytes.join() !== options.vocab.bytes.join()) {
      throw new ConfigError('train', 'vocab', "the checkpoint's vocabulary", 'the data\'s vocabulary', "encode the data with the checkpoint's vocabulary.");
    }
    const hyper: TrainHyperparameters = { ...DEFAULT_HYPER, ...saved?.hyper, ...options.hyper };
    if (saved) {
      const diff = differences(saved.hyper, hyper);
      if (diff.length) throw new ConfigError('train', 'hyper', "the checkpoint's training hyperparameters", `different ones (${diff.join('; ')})`, 'a resumed run keeps its batch, segment, optimizer and seed.');
    }
    validateOptions(options, config, hyper);
    return await run(options, config, hyper, checkpoint);
  } finally {
    if (checkpoint) disposeCheckpoint(checkpoint);
  }
}

async function run(options: TrainOptions, config: TransformerLSConfig, hyper: TrainHyperparameters, checkpoint: Checkpoint | null): Promise<TrainResult> {
  const { batchSize: B, segmentLength: T } = hyper;
  const saved = checkpoint?.training?.state;
  const streams = new TokenStreams(options.data, B, { remainder: 'drop' });
  const segmentsPerEpoch = streams.segmentCount(T);
  if (segmentsPerEpoch === 0) {
    throw new ConfigError('train', 'segmentLength', `at most ${streams.streamLength} (the training data gives ${B} streams of ${streams.streamLength} tokens)`, String(T));
  }

  // NOTE: dropout draws from the default generator, so training reseeds it (and a resume restores it).
  manualSeed(hyper.seed);
  const model = new TransformerLSModel(config);
  const optimizer = new AdamW(model.parameters(), { lr: hyper.lr, weightDecay: hyper.weightDecay, betas: hyper.betas, eps: hyper.eps });
  const state = { step: saved?.step ?? 0, tokens: saved?.tokens ?? 0, elapsedSeconds: saved?.elapsedSeconds ?? 0, data: { ...(saved?.data ?? { epoch: 0, segment: 0 }) } };
  const plan = saved?.plan ?? defaultPlan(options, state);
  const scheduler = new LambdaLR(optimizer, (step) => lrFactor(plan, step, state.elapsedSeconds));
  let memories: Tensor[] = [];
  let checkpointPath: string | undefined;
  let checkpointStep = -1;
  const losses: number[] = [];
  const startTokens = state.tokens;
  const started = performance.now();
  const callSeconds = () => (performance.now() - started) / 1000;
  try {
    if (checkpoint && saved) {
      model.loadStateDict(checkpoint.weights);
      const tensors = checkpoint.training!.tensors;
      optimizer.loadStateDict(optimizerStateFrom(saved, tensors));
      scheduler.loadStateDict(saved.scheduler);
      const expected = [B, config.memLen, config.dModel];
      model.layers.modules.forEach((_, l) => {
        const m = tensors.get(`memory.${l}`);
        if (!m || m.shape.join() !== expected.join()) throw new ConfigError('train', `memory.${l}`, `a (${expected.join(', ')}) tensor in the checkpoint`, m ? `(${m.shape.join(', ')})` : 'none');
      });
      memories = model.layers.modules.map((_, l) => tensors.get(`memory.${l}`)!.detach());
      defaultGenerator().setState(saved.rng);
    } else {
      initializeForTraining(model, defaultGenerator());
      memories = model.initialMemories(B);
    }
    model.train();

    const trainingState = (): TrainingState => {
      const dict = optimizer.stateDict();
      return {
        ...state,
        data: { ...state.data },
        rng: defaultGenerator().getState(),
        scheduler: scheduler.stateDict(),
        plan,
        hyper,
        optimizer: { paramGroups: dict.paramGroups, steps: Object.fromEntries([...dict.state].map(([i, s]) => [String(i), s.step])) },
      };
    };
    const trainingTensors = (): Map<string, Tensor> => {
      const out = new Map<string, Tensor>();
      for (const [i, s] of optimizer.stateDict().state) {
        out.set(`optimizer.${i}.exp_avg`, s.exp_avg);
        out.set(`optimizer.${i}.exp_avg_sq`, s.exp_avg_sq);
      }
      memories.forEach((m, l) => out.set(`memory.${l}`, m));
      return out;
    };
    const writeCheckpoint = async () => {
      if (checkpointStep === state.step) return;
      checkpointStep = state.step;
      checkpointPath = await saveCheckpoint(options.checkpointDir!, {
        config,
        vocab: options.vocab,
        weights: model.stateDict(),
        training: { state: trainingState(), tensors: trainingTensors() },
      });
    };

    const params = model.parameters();
    let lastCheckpoint = started;
    const budgetFraction = () => Math.max(
      options.steps === undefined ? 0 : (options.steps === 0 ? 1 : losses.length / options.steps),
      options.timeBudgetSeconds === undefined ? 0 : callSeconds() / options.timeBudgetSeconds,
    );
    while (!(options.steps !== undefined && losses.length >= options.steps)
      && !(options.timeBudgetSeconds !== undefined && callSeconds() >= options.timeBudgetSeconds)
      && !options.signal?.aborted) {
      const stepStart = performance.now();
      const segment = streams.segment(state.data.segment, T);
      const lr = optimizer.paramGroups[0].lr;
      const [loss, next] = tidy(() => {
        const inputs = fromArray(segment.inputs, [B, T], 'i32');
        const targets = fromArray(segment.targets, [B, T], 'i32');
        const out = model.forward(inputs, memories);
        return [segmentLoss(out.logProbs, targets), out.memories] as const;
      });
      loss.backward();
      const norm = clipGradNorm(params, hyper.gradClip);
      optimizer.step();
      optimizer.zeroGrad();
      const [lossValue, normValue] = [await loss.item(), await norm.item()];
      loss.dispose();
      norm.dispose();
      memories.forEach((m) => m.dispose());
      memories = [...next];

      state.step += 1;
      state.tokens += B * T;
      state.elapsedSeconds += (performance.now() - stepStart) / 1000;
      state.data.segment += 1;
      if (state.data.segment === segmentsPerEpoch) {
        // A new pass over the data starts every stream from its beginning, so memories restart at zero.
        state.data = { epoch: state.data.epoch + 1, segment: 0 };
        memories.forEach((m) => m.dispose());
        memories = model.initialMemories(B);
      }
      scheduler.step();
      losses.push(lossValue);

      const fraction = Math.min(1, budgetFraction());
      const seconds = callSeconds();
      options.onProgress?.({
        step: state.step, epoch: state.data.epoch, tokens: state.tokens, loss: lossValue, bpc: lossValue / Math.LN2, lr, gradNorm: normValue,
        elapsedSeconds: state.elapsedSeconds, tokensPerSecond: (state.tokens - startTokens) / seconds, fraction,
        etaSeconds: fraction > 0 ? seconds * (1 - fraction) / fraction : Infinity,
      });
      if (options.checkpointDir && options.checkpointEverySeconds !== undefined && (performance.now() - lastCheckpoint) / 1000 >= options.checkpointEverySeconds) {
        await writeCheckpoint();
        lastCheckpoint = performance.now();
      }
    }
    if (options.checkpointDir) await writeCheckpoint();
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    memories.forEach((m) => m.dispose());
    optimizer.dispose();
  }
  model.eval();
  const seconds = callSeconds();
  return {
    model, config, vocab: options.vocab, hyper, losses, step: state.step, tokens: state.tokens, elapsedSeconds: state.elapsedSeconds,
    tokensPerSecond: seconds > 0 ? (state.tokens - startTokens) / seconds : 0, checkpointPath,
  };
}

function optimizerStateFrom(saved: TrainingState, tensors: ReadonlyMap<string, Tensor>): OptimizerStateDict<AdamWHyperparameters, AdamWState> {
  const state = new Map<number, AdamWState>();
  for (const [index, step] of Object.entries(saved.optimizer.steps)) {
    const expAvg = tensors.get(`optimizer.${index}.exp_avg`);
    const expAvgSq = tensors.get(`optimizer.${index}.exp_avg_sq`);
    if (!expAvg || !expAvgSq) throw new ConfigError('train', `optimizer.${index}`, 'AdamW moments in the checkpoint', 'none');
    state.set(Number(index), { step, exp_avg: expAvg, exp_avg_sq: expAvgSq });
  }
  return { state, paramGroups: saved.optimizer.paramGroups as OptimizerStateDict<AdamWHyperparameters, AdamWState>['paramGroups'] };
}
