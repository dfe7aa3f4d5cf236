// @longshort/lm — the long-short character language model (Zhu et al. 2021, Part B of the spec).
export { presets, parameterCount, validateTransformerLSConfig, type TransformerLSConfig } from './transformer-ls/config.js';
export { TransformerLSModel, TransformerLSLayer, FeedForward, TiedOutput, type ForwardResult } from './transformer-ls/model.js';
export { segmentLoss } from './transformer-ls/loss.js';
export { fromAuthorsStateDict, toAuthorsStateDict, inverseFrequencies } from './transformer-ls/weights.js';
