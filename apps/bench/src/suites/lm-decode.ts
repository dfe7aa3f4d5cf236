// Generation cost per token of the lm suite (issue 6; spec B.5 for one query, D.2): the long-short
// model's IncrementalDecoder and the full-attention model's FullIncrementalDecoder at a context of
// memLen characters, started from random memories of that length (per layer (1, memLen, D)) rather
// than from memLen fed tokens. A long-short query attends W window keys and memLen/ℓ·r compressed
// vectors (these still grow with the context, ℓ/r times slower), a full-attention one memLen + t keys.
import {
  FullIncrementalDecoder, IncrementalDecoder, TransformerLSModel, matchedFullAttentionConfig, type Decoder, type TransformerLSConfig,
} from '@longshort/lm';
import { manualSeed, randomNormal } from '@longshort/tensor';
import { measure, timed, type Budget } from '../measure.js';
import { summarize, type TimingStats } from '../report.js';

export const decodeMethods = ['long-short', 'full'] as const;
export type DecodeMethod = (typeof decodeMethods)[number];

export interface DecodeRun extends TimingStats {
  /** The decoder's construction from the starting memories (projecting / compressing them), ms. */
  build_ms: number;
}

/**
 * Keys a query attends per layer and head at the first push with a memory of `context` tokens:
 * W window keys + context/ℓ·r compressed vectors (long-short), context + 1 keys (full).
 * @example attendedKeys(presets.small, 'long-short', 65_536) // 32 + 4096
 */
export function attendedKeys(config: TransformerLSConfig, method: DecodeMethod, context: number): number {
  return method === 'full' ? context + 1 : config.windowLen + (context / config.chunkSize) * config.chunkRank;
}

/**
 * The model `method` decodes at `context`: the long-short config with memLen = context, or its
 * matched full-attention baseline (matchedFullAttentionConfig) with the same memLen.
 * @example decodeConfig(presets.small, 'full', 8192).attention // 'full'
 */
export function decodeConfig(config: TransformerLSConfig, method: DecodeMethod, context: number): TransformerLSConfig {
  const longShort = { ...config, memLen: context };
  return method === 'full' ? matchedFullAttentionConfig(longShort) : longShort;
}

/**
 * Times pushes of one decoder on the current backend: a seeded model in eval mode, random starting
 * memories of `context` rows, one checked push (its log-probabilities must form a distribution),
 * then pushes under `budget`, all within the first segment of `segmentLength` tokens (no commit).
 * @example const run = await timeDecoder(presets.small, 'long-short', 8192, 128, budget);
 */
export async function timeDecoder(config: TransformerLSConfig, method: DecodeMethod, context: number, segmentLength: number, budget: Budget): Promise<DecodeRun> {
  const modelConfig = decodeConfig(config, method, context);
  manualSeed(1);
  const model = new TransformerLSModel(modelConfig);
  model.eval();
  const memories = model.layers.modules.map(() => randomNormal([1, context, modelConfig.dModel])); // per layer (1, L, D)
  let decoder: Decoder | null = null;
  try {
    const built = await timed(async () => (method === 'full'
      ? new FullIncrementalDecoder(model, segmentLength, memories)
      : new IncrementalDecoder(model, segmentLength, memories)));
    decoder = built.value;
    let token = 0;
    const push = () => decoder!.push((token = (token * 31 + 7) % modelConfig.vocabSize));
    const total = Math.log((await push()).reduce((sum, logProb) => sum + Math.exp(logProb), 0));
    if (!(Math.abs(total) < 1e-3)) throw new Error(`the first push's probabilities add up to e^${total}; expected 1 (log-sum within 1e-3 of 0).`);
    return { ...summarize(await measure(push, budget)), build_ms: built.ms };
  } finally {
    decoder?.dispose();
    memories.forEach((m) => m.dispose());
    model.dispose();
  }
}

/** cost(largest context) ÷ cost(smallest context) of one method's measured points. */
export interface CostRatio {
  from_context: number;
  to_context: number;
  ratio: number;
}

/**
 * The ratio of median ms/token at the largest measured context to the smallest, or null with
 * fewer than two measured contexts.
 * @example costRatio([{ context: 1024, ms: 2 }, { context: 65_536, ms: 6 }]) // { from_context: 1024, to_context: 65536, ratio: 3 }
 */
export function costRatio(points: readonly { context: number; ms: number }[]): CostRatio | null {
  if (points.length < 2) return null;
  const sorted = [...points].sort((a, b) => a.context - b.context);
  const [first, last] = [sorted[0], sorted[sorted.length - 1]];
  return { from_context: first.context, to_context: last.context, ratio: last.ms / first.ms };
}
