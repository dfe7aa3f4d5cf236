// Turns a `causal-lm` fixture's config (the authors' argument names) into a model config.
import type { TransformerLSConfig } from '../transformer-ls/config.js';

export function configFromFixture(c: Record<string, unknown>): TransformerLSConfig {
  const n = (key: string) => c[key] as number;
  return {
    vocabSize: n('vocab_size'), dModel: n('d_model'), dInner: n('d_inner'), nHead: n('n_head'), nLayer: n('n_layer'),
    memLen: n('mem_len'), chunkSize: n('chunk_size'), chunkRank: n('chunk_rank'), windowLen: n('window_len'),
    preLn: c.pre_ln as boolean, useGelu: c.use_gelu as boolean, useBias: c.use_bias as boolean, dropout: 0, layerNormEps: n('layer_norm_eps'),
  };
}
