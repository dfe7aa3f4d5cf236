// Text generation: the prompt's bytes are fed through a decoder, then tokens are sampled one at a
// time (temperature / top-k / top-p from a seeded Generator) and streamed out as they come.
import { ConfigError, Generator } from '@longshort/tensor';
import type { Vocabulary } from '../data/vocabulary.js';
import type { TransformerLSModel } from '../transformer-ls/model.js';
import { IncrementalDecoder, SegmentDecoder, type Decoder } from './decoders.js';
import { FullIncrementalDecoder } from './full-decoder.js';
import { sampleToken, validateSampling, type SamplingOptions } from './sample.js';

export interface GenerateOptions extends SamplingOptions {
  /** Tokens (bytes) to generate. */
  readonly maxTokens: number;
  /** Seed of the sampling generator (default 0). */
  readonly seed?: number;
  /** Segment length of the memory commits (default 128; use the training segment length). */
  readonly segmentLength?: number;
  /** 'incremental' (default): O(W + compressed) per token; 'segment': re-run the segment per token. */
  readonly decoder?: 'incremental' | 'segment';
}

/** One generated token. */
export interface GeneratedToken {
  readonly id: number;
  /** Its byte (the vocabulary's). */
  readonly byte: number;
  /** Its log-probability under the unfiltered model distribution. */
  readonly logProb: number;
}

/**
 * Streams tokens generated after `prompt` (bytes; non-empty, every byte in the vocabulary). The
 * model is put in eval mode for the duration.
 * @example for await (const t of generate(model, vocab, new TextEncoder().encode('The '), { maxTokens: 200 })) process.stdout.write(Uint8Array.of(t.byte));
 */
export async function* generate(model: TransformerLSModel, vocab: Vocabulary, prompt: Uint8Array, options: GenerateOptions): AsyncGenerator<GeneratedToken> {
  const { maxTokens, seed = 0, segmentLength = 128, decoder: kind = 'incremental' } = options;
  validateSampling(options);
  if (!(Number.isInteger(maxTokens) && maxTokens >= 0)) throw new ConfigError('generate', 'maxTokens', 'an integer >= 0', String(maxTokens));
  if (prompt.length === 0) throw new ConfigError('generate', 'prompt', 'at least one byte', 'an empty prompt');
  if (vocab.size !== model.config.vocabSize) throw new ConfigError('generate', 'vocab', `${model.config.vocabSize} bytes (the model's vocabSize)`, `${vocab.size}`);
  const ids = vocab.encode(prompt);
  const wasTraining = model.training;
  model.eval();
  const Incremental = model.config.attention === 'full' ? FullIncrementalDecoder : IncrementalDecoder;
  const decoder: Decoder = kind === 'incremental' ? new Incremental(model, segmentLength) : new SegmentDecoder(model, segmentLength);
  const generator = new Generator(seed);
  try {
    let logProbs: Float32Array = new Float32Array(0);
    for (const id of ids) logProbs = await decoder.push(id);
    for (let i = 0; i < maxTokens; i++) {
      const id = sampleToken(logProbs, options, generator);
      yield { id, byte: vocab.bytes[id], logProb: logProbs[id] };
      if (i + 1 < maxTokens) logProbs = await decoder.push(id);
    }
  } finally {
    decoder.dispose();
    model.train(wasTraining);
  }
}

/**
 * Generates and collects the text (decoded as UTF-8).
 * @example const text = await generateText(model, vocab, 'The ', { maxTokens: 100, temperature: 0.8 });
 */
export async function generateText(model: TransformerLSModel, vocab: Vocabulary, prompt: string, options: GenerateOptions): Promise<string> {
  const bytes: number[] = [];
  for await (const token of generate(model, vocab, new TextEncoder().encode(prompt), options)) bytes.push(token.byte);
  return new TextDecoder().decode(Uint8Array.from(bytes));
}
