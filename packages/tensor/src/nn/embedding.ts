// Embedding: a lookup table of `numEmbeddings` rows of size `embeddingDim` (torch.nn.Embedding),
// initialised from N(0, 1); with `paddingIdx`, that row starts at zero and gets no gradient.
import { ConfigError } from '../errors/index.js';
import { eq } from '../ops/binary/binary.js';
import { fromArray } from '../ops/creation/creation.js';
import { embedding } from '../ops/gather/gather.js';
import { unsqueeze } from '../ops/views/views.js';
import { where } from '../ops/where/where.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { normal, type InitOptions } from './init.js';
import { assertFeatures } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export interface EmbeddingOptions extends InitOptions {
  /** A row (negative counts from the end) that starts at zero and receives no gradient. */
  readonly paddingIdx?: number;
}

/**
 * Maps i32 ids (...) to vectors (..., embeddingDim).
 * @example const wte = new Embedding(vocabSize, 512); wte.forward(ids) // (B, T) → (B, T, 512)
 */
export class Embedding extends Module {
  readonly weight: Parameter;
  /** The normalised padding row, or null. */
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    assertFeatures('Embedding', 'numEmbeddings', numEmbeddings);
    assertFeatures('Embedding', 'embeddingDim', embeddingDim);
    const { paddingIdx, ...init } = options;
    if (paddingIdx !== undefined && (!Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
      throw new ConfigError('Embedding', 'paddingIdx', `an integer in [${-numEmbeddings}, ${numEmbeddings})`, String(paddingIdx));
    }
    this.paddingIdx = paddingIdx === undefined ? null : (paddingIdx + numEmbeddings) % numEmbeddings;
    const values = normal([numEmbeddings, embeddingDim], init);
    if (this.paddingIdx !== null) {
      const keepRow = new Uint8Array(numEmbeddings).fill(1);
      keepRow[this.paddingIdx] = 0;
      values.assign(tidy(() => where(fromArray(keepRow, [numEmbeddings, 1], 'bool', values.backend), values, 0))); // (V, 1) → (V, C)
    }
    this.weight = new Parameter(values);
  }

  /** ids (...) i32 → (..., embeddingDim). @example wte.forward(ids) */
  forward(ids: Tensor): Tensor {
    if (this.paddingIdx === null) return embedding(this.weight, ids);
    const paddingIdx = this.paddingIdx;
    return tidy(() => {
      // NOTE: the padding positions read the same row through a detached weight, so the forward
      // value is unchanged (PyTorch reads the row too) but no gradient reaches that row.
      const isPadding = unsqueeze(eq(ids, paddingIdx), -1); // (..., 1)
      return where(isPadding, embedding(this.weight.detach(), ids), embedding(this.weight, ids)); // (..., C)
    });
  }
}
