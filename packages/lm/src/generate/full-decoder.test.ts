// Incremental decoding of the full-attention baseline against full forward passes (memory commits,
// pre-/post-LN), decoders started from given memories, and the errors for the wrong model kind.
import { ConfigError, Generator, manualSeed, memory, randomNormal } from '@longshort/tensor';
import { describe, expect, it } from 'vitest';
import { Vocabulary } from '../data/vocabulary.js';
import type { TransformerLSConfig } from '../transformer-ls/config.js';
import { IncrementalDecoder, SegmentDecoder } from './decoders.js';
import { decode, forwardRows, maxDifference, tinyModel } from './test-support.js';
import { FullIncrementalDecoder } from './full-decoder.js';
import { generateText } from './generate.js';

const tiny: TransformerLSConfig = {
  vocabSize: 7, dModel: 8, dInner: 16, nHead: 2, nLayer: 2, memLen: 8, chunkSize: 2, chunkRank: 2, windowLen: 4,
  preLn: true, useGelu: true, useBias: false, dropout: 0, layerNormEps: 1e-5, attention: 'full',
};

describe('FullIncrementalDecoder', () => {
  const random = new Generator(5);
  const ids = Int32Array.from({ length: 37 }, () => Math.floor(random.uniform() * 7));

  it('gives the log-probabilities of full forward passes (memory commits; pre-LN, and post-LN / ReLU with memory longer than segments)', async () => {
    for (const config of [tiny, { ...tiny, nLayer: 1, memLen: 12, preLn: false, useGelu: false, useBias: true }]) {
      const model = tinyModel(config);
      const baseline = memory().liveTensors;
      for (const T of [8, 4]) {
        const zeros = model.initialMemories(1);
        const reference = forwardRows(model, ids, T, zeros);
        zeros.forEach((m) => m.dispose());
        expect(maxDifference(await decode(new FullIncrementalDecoder(model, T), ids), reference)).toBeLessThan(1e-5);
      }
      expect(memory().liveTensors).toBe(baseline);
      model.dispose();
    }
  });

  it('starts from given memories, as do the long-short decoders', async () => {
    for (const config of [tiny, { ...tiny, attention: 'long-short' as const }]) {
      const model = tinyModel(config);
      manualSeed(9);
      const start = model.layers.modules.map(() => randomNormal([1, config.memLen, config.dModel]));
      const reference = forwardRows(model, ids.subarray(0, 12), 4, start);
      const decoders = config.attention === 'full'
        ? [new FullIncrementalDecoder(model, 4, start), new SegmentDecoder(model, 4, start)]
        : [new IncrementalDecoder(model, 4, start), new SegmentDecoder(model, 4, start)];
      for (const decoder of decoders) expect(maxDifference(await decode(decoder, ids.subarray(0, 12)), reference)).toBeLessThan(1e-5);
      // The decoders hold their own handles: the caller's memories are still alive and unchanged.
      expect(start.every((m) => !m.isDisposed)).toBe(true);
      start.forEach((m) => m.dispose());
      model.dispose();
    }
  });

  it('rejects the wrong model kind and memories of the wrong shape', () => {
    const full = tinyModel(tiny);
    const longShort = tinyModel({ ...tiny, attention: undefined });
    const baseline = memory().liveTensors;
    expect(() => new FullIncrementalDecoder(longShort, 4)).toThrow(/attention: 'full'/);
    expect(() => new IncrementalDecoder(full, 4)).toThrow(ConfigError);
    expect(() => new FullIncrementalDecoder(full, 3)).toThrow(/segmentLength/);
    const wrong = [randomNormal([1, 4, 8]), randomNormal([1, 8, 8])];
    expect(() => new FullIncrementalDecoder(full, 4, wrong)).toThrow(/memories.*2 tensors \(1, 8, 8\).*\(1, 4, 8\)/);
    expect(() => new IncrementalDecoder(longShort, 4, wrong.slice(1))).toThrow(/got \(1, 8, 8\)/);
    wrong.forEach((m) => m.dispose());
    expect(memory().liveTensors).toBe(baseline);
    full.dispose();
    longShort.dispose();
  });

  it('is what generate() uses for a full-attention model', async () => {
    const model = tinyModel(tiny);
    const vocab = new Vocabulary([97, 98, 99, 100, 101, 102, 103]);
    const options = { maxTokens: 12, segmentLength: 4, temperature: 0.9, seed: 3 };
    const text = await generateText(model, vocab, 'abcab', options);
    expect(text).toHaveLength(12);
    expect(await generateText(model, vocab, 'abcab', { ...options, decoder: 'segment' })).toBe(text);
    model.dispose();
  });
});
