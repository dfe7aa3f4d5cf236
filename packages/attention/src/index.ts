// @longshort/attention — long-short attention (bidirectional, causal with memory, 2-D) and full
// attention (Zhu et al., "Long-Short Transformer", NeurIPS 2021).
export { LongShortAttention, validateLongShortConfig, type LongShortAttentionConfig } from './long-short/bidirectional.js';
export { CausalLongShortAttention, validateCausalConfig, validateCausalLengths, type CausalLongShortConfig } from './long-short/causal.js';
export { LongShortAttention2D, relativePositionIndex2D, relativePositionTableRows2D, type LongShortAttention2DConfig } from './long-short/two-d.js';
export { windowBlocks, windowExtension } from './long-short/window.js';
export { splitHeads, mergeHeads } from './heads.js';
export { sinusoid } from './long-short/sinusoid.js';
export { FullAttention, fullAttentionCore, type AttentionCoreOptions, type FullAttentionConfig } from './full/full-attention.js';
export { FullAttention2D, relativePositionIndexFull, type FullAttention2DConfig } from './full/full-attention-2d.js';
export { padSequence, unpadSequence, type PaddedSequence } from './padding.js';
export { longShortCore, longShortAttentionOp, longShortAttentionBackwardOp, type LongShortCoreAttrs, type LongShortCoreResult } from './fused/long-short-core.js';
export {
  causalLongShortCore, causalLongShortAttentionOp, causalLongShortAttentionBackwardOp, type CausalCoreAttrs, type CausalCoreInputs, type CausalCoreResult,
} from './fused/causal-core.js';
export { fusedAttentionOps, registerFusedAttentionKernels } from './fused/register.js';
