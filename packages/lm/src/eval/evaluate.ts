// Bits per character over a whole split (spec B.8, fairseq-eval-lm): the split is cut into B
// contiguous streams, fed segment by segment with the memories carried, and every target
// character (all but the split's first) is scored exactly once, the last partial segment included:
// BPC = −Σ log p(target) / #targets / ln 2.
import { fromArray, gather, noGrad, tidy, type Tensor } from '@longshort/tensor';
import { TokenStreams } from '../data/streams.js';
import { gcd, type TransformerLSModel } from '../transformer-ls/model.js';
import type { TransformerLSConfig } from '../transformer-ls/config.js';

export interface EvaluateProgress {
  /** Targets scored so far, of `total`. */
  readonly tokens: number;
  readonly total: number;
  /** BPC of the targets scored so far. */
  readonly bpc: number;
  readonly tokensPerSecond: number;
  readonly fraction: number;
  readonly etaSeconds: number;
}

export interface EvaluateOptions {
  /** Streams evaluated side by side (default 8). */
  readonly batchSize?: number;
  /** Tokens per segment (default 128). */
  readonly segmentLength?: number;
  /** Score only the first `maxTokens` targets (a bounded slice of the split). */
  readonly maxTokens?: number;
  readonly onProgress?: (progress: EvaluateProgress) => void;
}

export interface EvaluationResult {
  readonly bpc: number;
  /** Mean negative log-likelihood in nats per character. */
  readonly loss: number;
  /** Targets scored (ids.length − 1, or maxTokens). */
  readonly tokens: number;
  readonly seconds: number;
  readonly tokensPerSecond: number;
}

/**
 * The block length the model accepts for a segment of T tokens: T itself when T % chunkSize ≠ 0
 * (the model pads) or when T fits the window rules; otherwise the next multiple of
 * lcm(chunkSize, windowLen), since a block longer than windowLen must be a multiple of it (spec E.8).
 * @example blockLength(48, presets.small) // 64
 */
export function blockLength(T: number, config: Pick<TransformerLSConfig, 'chunkSize' | 'windowLen'>): number {
  const { chunkSize: l, windowLen: W } = config;
  if (T % l !== 0 || T <= W || T % W === 0) return T;
  const period = (l * W) / gcd(l, W);
  return Math.ceil(T / period) * period;
}

/**
 * Evaluates bits per character of `ids` (a split encoded with the model's vocabulary). The model
 * runs in eval mode without gradients; its training flag is restored afterwards.
 * @example const { bpc } = await evaluateBpc(model, corpus.valid, { maxTokens: 20_000 });
 */
export async function evaluateBpc(model: TransformerLSModel, ids: Int32Array, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const { batchSize = 8, segmentLength = 128, maxTokens } = options;
  const data = maxTokens === undefined ? ids : ids.subarray(0, maxTokens + 1);
  const B = Math.min(batchSize, Math.max(1, data.length - 1));
  const streams = new TokenStreams(data, B, { remainder: 'keep' });
  const total = data.length - 1;
  const wasTraining = model.training;
  model.eval();
  const started = performance.now();
  let memories: Tensor[] = model.initialMemories(B);
  let nats = 0;
  let scored = 0;
  try {
    for (let k = 0; k < streams.segmentCount(segmentLength); k++) {
      const segment = streams.segment(k, segmentLength);
      const T = segment.length;
      const M = blockLength(T, model.config);
      const [picked, next] = noGrad(() => tidy(() => {
        const inputs = new Int32Array(B * M);
        const targets = new Int32Array(B * M);
        for (let b = 0; b < B; b++) {
          inputs.set(segment.inputs.subarray(b * T, b * T + T), b * M);
          targets.set(segment.targets.subarray(b * T, b * T + T), b * M);
        }
        const out = model.forward(fromArray(inputs, [B, M], 'i32'), memories);
        return [gather(out.logProbs, 2, fromArray(targets, [B, M, 1], 'i32')), out.memories] as const; // (B, M, 1)
      }));
      const logProbs = await picked.data() as Float32Array;
      picked.dispose();
      memories.forEach((m) => m.dispose());
      memories = [...next];
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          if (!segment.mask[b * T + t]) continue;
          nats -= logProbs[b * M + t];
          scored += 1;
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const fraction = scored / total;
      options.onProgress?.({ tokens: scored, total, bpc: nats / scored / Math.LN2, tokensPerSecond: scored / seconds, fraction, etaSeconds: seconds * (1 - fraction) / fraction });
    }
  } finally {
    memories.forEach((m) => m.dispose());
    model.train(wasTraining);
  }
  const seconds = (performance.now() - started) / 1000;
  return { bpc: nats / scored / Math.LN2, loss: nats / scored, tokens: scored, seconds, tokensPerSecond: scored / seconds };
}
