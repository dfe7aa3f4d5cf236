// Truncated-BPTT batching (spec B.8, fairseq `truncated_bptt_lm`, Transformer-XL): the targets
// ids[1 … n) are cut into B contiguous streams, and segment k of every stream is fed in order so
// that the model's memories carry from one segment to the next. Stream b predicts the targets
// [1 + b·S, 1 + (b+1)·S) from the token before each: streams overlap by one input token, so every
// target is predicted exactly once.
import { DataError } from './errors.js';

/** One segment of B streams: (B, length) row-major ids, and which targets are real. */
export interface Segment {
  /** Tokens per stream in this segment (≤ the segment length asked for). */
  readonly length: number;
  /** (B, length) input ids. */
  readonly inputs: Int32Array;
  /** (B, length) target ids (the next token of each input); 0 where mask is 0. */
  readonly targets: Int32Array;
  /** (B, length) 1 where the target is real, 0 past the end of a shorter stream. */
  readonly mask: Uint8Array;
}

export interface TokenStreamsOptions {
  /**
   * 'drop' (training): S = ⌊(n−1)/B⌋ targets per stream, all streams equal, the remainder unused.
   * 'keep' (evaluation): S = ⌈(n−1)/B⌉, the last streams shorter, every target used.
   */
  readonly remainder: 'drop' | 'keep';
}

/**
 * B contiguous streams over a token sequence.
 * @example const streams = new TokenStreams(corpus.train, 16, { remainder: 'drop' }); streams.segment(0, 128)
 */
export class TokenStreams {
  /** Targets per stream (the longest stream with remainder 'keep'). */
  readonly streamLength: number;

  constructor(readonly ids: Int32Array, readonly batchSize: number, readonly options: TokenStreamsOptions) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new DataError('streams', `batch size is invalid; expected a positive integer, got ${batchSize}.`);
    const targets = Math.max(ids.length - 1, 0);
    this.streamLength = options.remainder === 'drop' ? Math.floor(targets / batchSize) : Math.ceil(targets / batchSize);
    if (this.streamLength === 0) {
      throw new DataError('streams', `are empty; expected at least ${batchSize + 1} tokens for ${batchSize} streams, got ${ids.length}.`);
    }
  }

  /** The number of targets stream b predicts. */
  private targetsIn(b: number): number {
    const total = this.ids.length - 1;
    return Math.max(0, Math.min(this.streamLength, total - b * this.streamLength));
  }

  /** Segments of `length` tokens: whole ones only ('drop') or with a last partial one ('keep'). @example streams.segmentCount(128) */
  segmentCount(length: number): number {
    return this.options.remainder === 'drop' ? Math.floor(this.streamLength / length) : Math.ceil(this.streamLength / length);
  }

  /**
   * Segment k: stream positions [k·T, min(k·T + T, S)) of every stream.
   * @example const { inputs, targets, mask } = streams.segment(3, 128);
   */
  segment(k: number, length: number): Segment {
    const from = k * length;
    const T = Math.min(length, this.streamLength - from);
    if (!Number.isInteger(k) || k < 0 || T <= 0) throw new DataError('streams', `have no segment ${k} of length ${length}; expected k in [0, ${this.segmentCount(length)}).`);
    const B = this.batchSize;
    const inputs = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    const mask = new Uint8Array(B * T);
    for (let b = 0; b < B; b++) {
      const start = b * this.streamLength + from; // index of the first input token
      const real = Math.max(0, Math.min(T, this.targetsIn(b) - from));
      for (let t = 0; t < real; t++) {
        inputs[b * T + t] = this.ids[start + t];
        targets[b * T + t] = this.ids[start + t + 1];
        mask[b * T + t] = 1;
      }
    }
    return { length: T, inputs, targets, mask };
  }
}
