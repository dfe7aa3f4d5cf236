import { Generator, fromArray, manualSeed, memory, noGrad, tidy, type Tensor } from '@longshort/tensor';
import { describe, expect, it } from 'vitest';
import { initializeForTraining } from '../train/init.js';
import type { TransformerLSConfig } from '../transformer-ls/config.js';
import { presets } from '../transformer-ls/config.js';
import { TransformerLSModel } from '../transformer-ls/model.js';
import { blockLength, evaluateBpc } from './evaluate.js';

const tiny: TransformerLSConfig = {
  vocabSize: 7, dModel: 8, dInner: 16, nHead: 2, nLayer: 2, memLen: 8, chunkSize: 2, chunkRank: 2, windowLen: 4,
  preLn: true, useGelu: true, useBias: false, dropout: 0.1, layerNormEps: 1e-5,
};

function tinyModel(): TransformerLSModel {
  manualSeed(1);
  const model = new TransformerLSModel(tiny);
  // NOTE: weights larger than the training init (std 0.02) so that memory and context matter.
  initializeForTraining(model, new Generator(2));
  for (const p of model.parameters()) p.assign(tidy(() => fromArray(Float32Array.from(p.dataSync(), (v) => v * 10), p.shape, 'f32')));
  return model;
}

/** −Σ log p over one stream fed alone in segments of T with memories (plain loop, float64 sum). */
function directNats(model: TransformerLSModel, stream: Int32Array, T: number): { nats: number; count: number } {
  const wasTraining = model.training;
  model.eval();
  let memories: Tensor[] = model.initialMemories(1);
  let nats = 0;
  let count = 0;
  for (let from = 0; from < stream.length - 1; from += T) {
    const inputs = stream.subarray(from, Math.min(from + T, stream.length - 1));
    const M = blockLength(inputs.length, model.config);
    const padded = new Int32Array(M);
    padded.set(inputs);
    const out = noGrad(() => tidy(() => model.forward(fromArray(padded, [1, M], 'i32'), memories)));
    const logProbs = out.logProbs.dataSync();
    const V = model.config.vocabSize;
    for (let t = 0; t < inputs.length; t++) {
      nats -= logProbs[t * V + stream[from + t + 1]];
      count += 1;
    }
    out.logProbs.dispose();
    memories.forEach((m) => m.dispose());
    memories = out.memories;
  }
  memories.forEach((m) => m.dispose());
  model.train(wasTraining);
  return { nats, count };
}

describe('evaluateBpc', () => {
  const random = new Generator(4);
  const ids = Int32Array.from({ length: 43 }, () => Math.floor(random.uniform() * 7));

  it('equals a direct segment-by-segment computation with one stream (last segment partial and padded)', async () => {
    const model = tinyModel();
    const baseline = memory().liveTensors;
    for (const T of [8, 12]) {
      // 42 targets: segments 8×5 + 2, or 12×3 + 6 (6 > windowLen 4 is padded to 8 by evaluateBpc).
      const result = await evaluateBpc(model, ids, { batchSize: 1, segmentLength: T });
      const direct = directNats(model, ids, T);
      expect(result.tokens).toBe(42);
      expect(direct.count).toBe(42);
      expect(result.loss).toBeCloseTo(direct.nats / 42, 5);
      expect(result.bpc).toBeCloseTo(direct.nats / 42 / Math.LN2, 5);
    }
    expect(memory().liveTensors).toBe(baseline);
    model.dispose();
  });

  it('with B streams scores each stream as if alone, every target once, and reports progress', async () => {
    const model = tinyModel();
    model.train();
    const fractions: number[] = [];
    const result = await evaluateBpc(model, ids, { batchSize: 4, segmentLength: 8, onProgress: (p) => fractions.push(p.fraction) });
    // ⌈42 / 4⌉ = 11 targets per stream: stream b covers ids[11b … 11b + 11] (the last one 9 targets).
    let nats = 0;
    for (let b = 0; b < 4; b++) nats += directNats(model, ids.subarray(11 * b, Math.min(11 * b + 12, ids.length)), 8).nats;
    expect(result.tokens).toBe(42);
    expect(result.loss).toBeCloseTo(nats / 42, 5);
    expect(fractions).toEqual([32 / 42, 1]);
    expect(model.training).toBe(true);
    const slice = await evaluateBpc(model, ids, { batchSize: 2, segmentLength: 8, maxTokens: 10 });
    expect(slice.tokens).toBe(10);
    model.dispose();
  });

  it('pads a segment to a length the attention accepts', () => {
    expect(blockLength(48, presets.small)).toBe(64);
    expect(blockLength(24, presets.small)).toBe(24);
    expect(blockLength(50, presets.small)).toBe(50);
    expect(blockLength(96, presets.small)).toBe(96);
  });
});
