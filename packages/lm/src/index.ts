// @longshort/lm — the long-short character language model (Zhu et al. 2021, Part B of the spec).
export { presets, parameterCount, matchedFullAttentionConfig, validateTransformerLSConfig, type TransformerLSConfig } from './transformer-ls/config.js';
export { TransformerLSModel, TransformerLSLayer, FeedForward, TiedOutput, type ForwardResult } from './transformer-ls/model.js';
export { RelativeFullAttention, relShift, type RelativeFullAttentionConfig } from './transformer-ls/full-attention.js';
export { segmentLoss } from './transformer-ls/loss.js';
export { fromAuthorsStateDict, toAuthorsStateDict, inverseFrequencies } from './transformer-ls/weights.js';
export {
  loadAuthorsModel, readAuthorsCheckpoint, saveAuthorsCheckpoint, toAuthorsSafetensors, inferAuthorsConfig, configFromAuthorsArgs, authorsArgs,
  parseFairseqDictionary, dictionaryVocabulary, type AuthorsCheckpoint, type AuthorsLoadOptions,
} from './transformer-ls/authors-checkpoint.js';
export { Vocabulary } from './data/vocabulary.js';
export { DataError } from './data/errors.js';
export { loadCorpus, loadBrownCorpus, readDataFile, stripBrownTags, splitIds, corpusFromBytes, DEFAULT_SPLIT, type Corpus } from './data/corpus.js';
export { TokenStreams, type Segment, type TokenStreamsOptions } from './data/streams.js';
export { train, lrFactor, type TrainOptions, type TrainProgress, type TrainResult } from './train/trainer.js';
export { initializeForTraining } from './train/init.js';
export {
  saveCheckpoint, loadCheckpoint, loadModel, readCheckpointConfig, resolveCheckpointFolder, disposeCheckpoint,
  type Checkpoint, type CheckpointContents, type LrPlan, type TrainHyperparameters, type TrainingState,
} from './train/checkpoint.js';
export { evaluateBpc, blockLength, type EvaluateOptions, type EvaluateProgress, type EvaluationResult } from './eval/evaluate.js';
export { generate, generateText, type GenerateOptions, type GeneratedToken } from './generate/generate.js';
export { IncrementalDecoder, SegmentDecoder, type Decoder } from './generate/decoders.js';
export { FullIncrementalDecoder } from './generate/full-decoder.js';
export { sampleToken, samplingDistribution, validateSampling, type SamplingOptions } from './generate/sample.js';
