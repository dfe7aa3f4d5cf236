// Configuration of the autoregressive long-short character model (spec Part B.1, B.9), with the
// authors' presets and a validator that checks the length rules of spec E.8 up front.
import { ConfigError } from '@longshort/tensor';

export interface TransformerLSConfig {
  /** Vocabulary size V. */
  vocabSize: number;
  /** Model width D. */
  dModel: number;
  /** Feed-forward width F. */
  dInner: number;
  nHead: number;
  nLayer: number;
  /** Memory (cache) length L carried from segment to segment. */
  memLen: number;
  /** Dynamic-projection chunk size ℓ. */
  chunkSize: number;
  /** Compressed vectors per chunk r. */
  chunkRank: number;
  /** Attention window W. */
  windowLen: number;
  /** The authors' "pre-LN" arrangement (spec B.4); false = post-LN. */
  preLn: boolean;
  /** GELU (exact erf) in the feed-forward; false = ReLU. */
  useGelu: boolean;
  /** Biases on the attention q/k/v/out projections (the released models: false). */
  useBias: boolean;
  dropout: number;
  layerNormEps: number;
  /**
   * 'long-short' (default): causal long-short attention. 'full': the Transformer-XL baseline, causal
   * full attention over [memory; segment] with the same relative-position terms (full-attention.ts).
   */
  attention?: 'long-short' | 'full';
}

const base = { preLn: true, useGelu: true, useBias: false, layerNormEps: 1e-5 } as const;

/** Presets: `small` is the main job's default; `enwik8Base`/`enwik8Large` are the authors' (spec B.9). */
export const presets = {
  small: { ...base, vocabSize: 256, dModel: 128, dInner: 512, nHead: 4, nLayer: 4, memLen: 128, chunkSize: 16, chunkRank: 1, windowLen: 32, dropout: 0.1 },
  enwik8Base: { ...base, vocabSize: 208, dModel: 512, dInner: 2048, nHead: 8, nLayer: 12, memLen: 2048, chunkSize: 16, chunkRank: 1, windowLen: 512, dropout: 0.2 },
  enwik8Large: { ...base, vocabSize: 208, dModel: 512, dInner: 2048, nHead: 8, nLayer: 30, memLen: 2048, chunkSize: 16, chunkRank: 1, windowLen: 512, dropout: 0.4 },
} satisfies Record<string, TransformerLSConfig>;

export function validateTransformerLSConfig(config: TransformerLSConfig): void {
  const name = 'TransformerLSModel';
  for (const key of ['vocabSize', 'dModel', 'dInner', 'nHead', 'nLayer', 'memLen', 'chunkSize', 'chunkRank', 'windowLen'] as const) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) throw new ConfigError(name, key, 'a positive integer', String(config[key]));
  }
  if (config.dModel % config.nHead !== 0) throw new ConfigError(name, 'nHead', `a divisor of dModel ${config.dModel}`, String(config.nHead));
  if (config.memLen % config.chunkSize !== 0) throw new ConfigError(name, 'memLen', `a multiple of chunkSize ${config.chunkSize}`, String(config.memLen));
  if (config.memLen < config.windowLen) throw new ConfigError(name, 'memLen', `at least windowLen ${config.windowLen}`, String(config.memLen));
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new ConfigError(name, 'dropout', 'a number in [0, 1)', String(config.dropout));
  if (config.attention !== undefined && config.attention !== 'long-short' && config.attention !== 'full') {
    throw new ConfigError(name, 'attention', "'long-short' or 'full'", JSON.stringify(config.attention));
  }
}

/** The attention's own parameters per layer: long-short (spec B.9) or full (no r_net_chunk, dconv_1, DualLN). */
function attentionParameters(config: TransformerLSConfig): number {
  const { dModel: D, nHead: H, chunkRank: r } = config;
  const shared = 5 * D * D + 2 * D + (config.useBias ? 4 * D : 0); // q, k, v, out, r_net; r_w_bias, r_r_bias
  return config.attention === 'full' ? shared : shared + D * D + D + H * r * (D + 1) + 4 * D; // + r_net_chunk, dconv_1, 2 LNs
}

/**
 * Parameters per spec B.9: n_layer · (6D² + 2DF + F + 12D + H·r·(D+1)) + V·D + V (plus 4D with
 * biases); with full attention n_layer · (5D² + 2DF + F + 7D) + V·D + V.
 * @example parameterCount(presets.small) // 960_784 (V = 256)
 */
export function parameterCount(config: TransformerLSConfig): number {
  const { dModel: D, dInner: F, vocabSize: V } = config;
  const perLayer = attentionParameters(config) + 2 * D * F + F + D + 4 * D; // + feed-forward, norm1, norm2
  return config.nLayer * perLayer + V * D + V;
}

/**
 * The full-attention baseline of a long-short config at (nearly) equal parameter count: full
 * attention lacks the long-short layer's D² + 5D + H·r·(D+1) parameters, so its dInner grows by
 * that over 2D + 1 (what one more feed-forward unit costs), rounded; the counts then differ by at
 * most nLayer · D parameters.
 * @example matchedFullAttentionConfig(presets.small).dInner // 580
 */
export function matchedFullAttentionConfig(config: TransformerLSConfig): TransformerLSConfig {
  const full = { ...config, attention: 'full' as const };
  const missing = attentionParameters({ ...config, attention: 'long-short' }) - attentionParameters(full);
  return { ...full, dInner: config.dInner + Math.round(missing / (2 * config.dModel + 1)) };
}
