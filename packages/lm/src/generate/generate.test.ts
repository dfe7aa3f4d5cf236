import { ConfigError, Generator, memory } from '@longshort/tensor';
import { describe, expect, it } from 'vitest';
import { Vocabulary } from '../data/vocabulary.js';
import type { TransformerLSConfig } from '../transformer-ls/config.js';
import { IncrementalDecoder, SegmentDecoder } from './decoders.js';
import { decode, forwardRows, maxDifference, tinyModel } from './test-support.js';
import { generate, generateText } from './generate.js';
import { sampleToken, samplingDistribution } from './sample.js';

const tiny: TransformerLSConfig = {
  vocabSize: 7, dModel: 8, dInner: 16, nHead: 2, nLayer: 2, memLen: 8, chunkSize: 2, chunkRank: 2, windowLen: 4,
  preLn: true, useGelu: true, useBias: false, dropout: 0, layerNormEps: 1e-5,
};

describe('sampling', () => {
  const logProbs = Float32Array.from([0.1, 0.4, 0.2, 0.3], Math.log);

  it('filters with temperature, top-k and top-p, and renormalises', () => {
    expect([...samplingDistribution(logProbs)].map((p) => +p.toFixed(6))).toEqual([0.1, 0.4, 0.2, 0.3]);
    expect([...samplingDistribution(logProbs, { temperature: 0 })]).toEqual([0, 1, 0, 0]);
    expect([...samplingDistribution(logProbs, { topK: 2 })].map((p) => +p.toFixed(6))).toEqual([0, 0.571429, 0, 0.428571]);
    expect([...samplingDistribution(logProbs, { topP: 0.65 })].map((p) => +p.toFixed(6))).toEqual([0, 0.571429, 0, 0.428571]);
    expect([...samplingDistribution(logProbs, { topP: 0.01 })]).toEqual([0, 1, 0, 0]);
    const sharp = samplingDistribution(logProbs, { temperature: 0.5 }); // p² normalised
    expect(sharp[1]).toBeCloseTo(0.16 / 0.3, 6);
  });

  it('draws from the distribution, reproducibly for a seed', () => {
    const generator = new Generator(9);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[sampleToken(logProbs, {}, generator)]++;
    counts.forEach((c, i) => expect(c / 20_000).toBeCloseTo([0.1, 0.4, 0.2, 0.3][i], 1));
    const draw = (seed: number) => Array.from({ length: 20 }, ((g) => () => sampleToken(logProbs, { topK: 3 }, g))(new Generator(seed)));
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    expect(() => samplingDistribution(logProbs, { topP: 0 })).toThrow(ConfigError);
    expect(() => samplingDistribution(logProbs, { temperature: -1 })).toThrow(/temperature/);
  });
});

describe('decoders', () => {
  const random = new Generator(5);
  const ids = Int32Array.from({ length: 37 }, () => Math.floor(random.uniform() * 7));

  it('the incremental decoder gives the log-probabilities of full forward passes (memory commits, r = 2, M > W)', async () => {
    const model = tinyModel(tiny);
    const baseline = memory().liveTensors;
    for (const T of [8, 4]) {
      const reference = forwardRows(model, ids, T);
      expect(maxDifference(await decode(new IncrementalDecoder(model, T), ids), reference)).toBeLessThan(1e-5);
      expect(maxDifference(await decode(new SegmentDecoder(model, T), ids), reference)).toBeLessThan(1e-5);
    }
    expect(memory().liveTensors).toBe(baseline);
    model.dispose();
  });

  it('also with rank 1, one layer, memory longer than segments, and post-LN / ReLU', async () => {
    const model = tinyModel({ ...tiny, chunkRank: 1, nLayer: 1, memLen: 12, preLn: false, useGelu: false, windowLen: 2 });
    const reference = forwardRows(model, ids, 4);
    expect(maxDifference(await decode(new IncrementalDecoder(model, 4), ids), reference)).toBeLessThan(1e-5);
    model.dispose();
  });

  it("rejects segment lengths the model cannot take and unknown tokens", async () => {
    const model = tinyModel(tiny);
    expect(() => new IncrementalDecoder(model, 6)).toThrow(/segmentLength/);
    expect(() => new SegmentDecoder(model, 3)).toThrow(ConfigError);
    const decoder = new SegmentDecoder(model, 8);
    await expect(decoder.push(7)).rejects.toThrow(/an id in \[0, 7\)/);
    model.train();
    await expect(decoder.push(1)).rejects.toThrow(/eval mode/);
    decoder.dispose();
    model.dispose();
  });
});

describe('generate', () => {
  const vocab = new Vocabulary([97, 98, 99, 100, 101, 102, 103]);

  it('streams seeded samples; both decoders give the same text', async () => {
    const model = tinyModel(tiny);
    const options = { maxTokens: 20, segmentLength: 8, temperature: 0.9, topK: 5, seed: 3 };
    const tokens = [];
    for await (const token of generate(model, vocab, new TextEncoder().encode('abcab'), options)) tokens.push(token);
    expect(tokens).toHaveLength(20);
    expect(tokens.every((t) => t.byte === vocab.bytes[t.id] && t.logProb <= 0)).toBe(true);
    const text = await generateText(model, vocab, 'abcab', options);
    expect(text).toBe(new TextDecoder().decode(Uint8Array.from(tokens, (t) => t.byte)));
    expect(await generateText(model, vocab, 'abcab', { ...options, decoder: 'segment' })).toBe(text);
    expect(await generateText(model, vocab, 'abcab', { ...options, seed: 4 })).not.toBe(text);
    await expect(generateText(model, vocab, '', options)).rejects.toThrow(/prompt/);
    await expect(generateText(model, vocab, 'xyz', options)).rejects.toThrow(/not in the vocabulary/);
    model.dispose();
  });
});
