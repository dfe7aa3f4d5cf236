// Test support for the decoders (not published): tiny models with weights large enough that every
// path matters, log-probabilities by full forward passes, by a decoder, and their largest difference.
import { Generator, fromArray, manualSeed, noGrad, tidy, type Tensor } from '@longshort/tensor';
import { expect } from 'vitest';
import { initializeForTraining } from '../train/init.js';
import type { TransformerLSConfig } from '../transformer-ls/config.js';
import { TransformerLSModel } from '../transformer-ls/model.js';
import type { Decoder } from './decoders.js';

/** A seeded model of `config` in eval mode. */
export function tinyModel(config: TransformerLSConfig): TransformerLSModel {
  manualSeed(1);
  const model = new TransformerLSModel(config);
  initializeForTraining(model, new Generator(2));
  // NOTE: weights ×10 the training init (and non-zero r_w/r_r biases) so that every path matters.
  for (const p of model.parameters()) p.assign(tidy(() => fromArray(Float32Array.from(p.dataSync(), (v) => v * 10), p.shape, 'f32')));
  return model.eval();
}

/**
 * Log-probabilities (V) of every position of `ids` by forward passes over segments of T, from
 * `start` memories (the caller keeps them; default zeros).
 */
export function forwardRows(model: TransformerLSModel, ids: Int32Array, T: number, start?: readonly Tensor[]): Float32Array[] {
  let memories = start ? start.map((m) => m.detach()) : model.initialMemories(1);
  const rows: Float32Array[] = [];
  const V = model.config.vocabSize;
  for (let from = 0; from < ids.length; from += T) {
    const block = ids.subarray(from, from + T);
    const out = noGrad(() => tidy(() => model.forward(fromArray(block, [1, block.length], 'i32'), memories)));
    const values = out.logProbs.dataSync();
    for (let t = 0; t < block.length; t++) rows.push(values.slice(t * V, (t + 1) * V) as Float32Array);
    out.logProbs.dispose();
    memories.forEach((m) => m.dispose());
    memories = out.memories;
  }
  memories.forEach((m) => m.dispose());
  return rows;
}

/** Log-probabilities after each of `ids` pushed into `decoder` (then disposed). */
export async function decode(decoder: Decoder, ids: Int32Array): Promise<Float32Array[]> {
  const rows: Float32Array[] = [];
  for (const id of ids) rows.push(await decoder.push(id));
  decoder.dispose();
  return rows;
}

/** The largest |a − b| over rows of equal count. */
export function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((row, i) => Math.max(...row.map((v, j) => Math.abs(v - b[i][j])))));
}
