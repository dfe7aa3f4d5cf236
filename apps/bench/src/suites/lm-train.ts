// Training measurements of the lm suite (issue 6; spec B.8: truncated-BPTT training, BPC over the
// validation split): the step time of `train()` itself on the current backend (its own per-step
// clock: forward, backward, clipping, AdamW, the loss read back), and validation BPC after a
// wall-clock training budget, for the long-short model and its full-attention baseline alike.
import { evaluateBpc, train, type Corpus, type TransformerLSConfig } from '@longshort/lm';
import { wantsMoreRuns, type Budget } from '../measure.js';
import { summarize, type TimingStats } from '../report.js';

/** The training hyperparameters of the suite (batch × segment; AdamW with lr 2e-3, gradient clip 1; the rest train()'s defaults). */
export interface TrainingShape {
  batchSize: number;
  segmentLength: number;
  lr: number;
  gradClip: number;
}

export interface ThroughputResult extends TimingStats {
  batch_size: number;
  segment_length: number;
  /** batch × segment ÷ the median step time. */
  tokens_per_second: number;
  /** Untimed steps before the timed ones (budget.warmupRuns, fewer when the time cap ended the warm-up). */
  warmup_steps: number;
  /** Why timing stopped before the budget was spent (the time cap), or null. */
  stopped: string | null;
  /** The last step's training loss in bits per character. */
  last_loss_bpc: number;
}

export interface BpcResult {
  /** Parameters of the trained model (counted). */
  parameters: number;
  steps: number;
  tokens: number;
  /** Training time as train() counts it (its steps only). */
  train_seconds: number;
  tokens_per_second: number;
  /** The training loss of every step in bits per character (the learning curve). */
  train_bpc: number[];
  /** Validation targets scored (the first characters of the validation split). */
  valid_chars: number;
  bpc: number;
  eval_seconds: number;
}

/**
 * Times training steps of `config` on the current backend with train(): budget.warmupRuns untimed
 * steps, then timed steps under `budget`. Past `capSeconds` (slow software adapters) the warm-up
 * ends after its current step and timing stops after the first timed step. The loss must stay finite.
 * @example const result = await measureTrainingThroughput(corpus, config, shape, budget, 300);
 */
export async function measureTrainingThroughput(corpus: Corpus, config: TransformerLSConfig, shape: TrainingShape, budget: Budget,
  capSeconds: number): Promise<ThroughputResult> {
  const stepMs: number[] = [];
  let stopped: string | null = null;
  let warmupSteps = budget.warmupRuns;
  let previousSeconds = 0;
  const controller = new AbortController();
  const started = performance.now();
  const { model, losses } = await train({
    data: corpus.train, vocab: corpus.vocab, config, hyper: shape, steps: budget.warmupRuns + budget.maxRuns, signal: controller.signal,
    onProgress: ({ elapsedSeconds }) => {
      stepMs.push((elapsedSeconds - previousSeconds) * 1000);
      previousSeconds = elapsedSeconds;
      const seconds = (performance.now() - started) / 1000;
      if (seconds >= capSeconds) warmupSteps = Math.min(warmupSteps, stepMs.length);
      const timedMs = stepMs.slice(warmupSteps);
      if (timedMs.length > 0 && wantsMoreRuns(timedMs, budget) && seconds >= capSeconds) {
        stopped = `the ${capSeconds} s cap was reached after ${timedMs.length} timed step${timedMs.length === 1 ? '' : 's'} (${seconds.toFixed(0)} s in all)`;
      }
      if (stopped !== null || (timedMs.length > 0 && !wantsMoreRuns(timedMs, budget))) controller.abort();
    },
  });
  model.dispose();
  const lastLoss = losses[losses.length - 1] / Math.LN2;
  if (!Number.isFinite(lastLoss)) throw new Error(`training loss is ${lastLoss} after ${losses.length} steps; expected a finite number.`);
  const stats = summarize(stepMs.slice(warmupSteps));
  return {
    ...stats, batch_size: shape.batchSize, segment_length: shape.segmentLength, tokens_per_second: (shape.batchSize * shape.segmentLength) / (stats.median_ms / 1000),
    warmup_steps: warmupSteps, stopped, last_loss_bpc: lastLoss,
  };
}

/**
 * Trains `config` on the corpus for `seconds` of wall-clock training (train()'s time budget, same
 * seed and data order for every model), then scores the first `validChars` validation characters.
 * @example const { bpc } = await trainAndEvaluate(corpus, config, shape, 120, 30_000);
 */
export async function trainAndEvaluate(corpus: Corpus, config: TransformerLSConfig, shape: TrainingShape, seconds: number, validChars: number): Promise<BpcResult> {
  const trained = await train({ data: corpus.train, vocab: corpus.vocab, config, hyper: shape, timeBudgetSeconds: seconds });
  try {
    const evaluation = await evaluateBpc(trained.model, corpus.valid, { maxTokens: validChars });
    if (!Number.isFinite(evaluation.bpc)) throw new Error(`validation BPC is ${evaluation.bpc}; expected a finite number.`);
    return {
      parameters: trained.model.parameters().reduce((total, p) => total + p.size, 0),
      steps: trained.step, tokens: trained.tokens, train_seconds: trained.elapsedSeconds, tokens_per_second: trained.tokensPerSecond,
      train_bpc: trained.losses.map((loss) => loss / Math.LN2),
      valid_chars: evaluation.tokens, bpc: evaluation.bpc, eval_seconds: evaluation.seconds,
    };
  } finally {
    trained.model.dispose();
  }
}
