// Incremental decoding of the full-attention baseline (transformer-ls/full-attention.ts): per layer
// the keys and values of every position of [memory; current segment] are kept (Transformer-XL's
// cache), so the t-th token of a segment costs O(L + t). A key depends only on its own row
// (proj_key of LN1 of the layer input), so committing a full segment just drops the oldest T keys
// and values, which is what the model's memory update (spec B.3 step 5) amounts to.
import { ConfigError, add, concat, div, fromArray, keep, matmul, mul, noGrad, slice, softmax, tidy, type Tensor } from '@longshort/tensor';
import { mergeHeads, splitHeads } from '@longshort/attention';
import { RelativeFullAttention } from '../transformer-ls/full-attention.js';
import type { TransformerLSModel } from '../transformer-ls/model.js';
import {
  attentionInput, checkPush, checkSegmentLength, keepAll, layerOutput, nextLogProbs, readAndDispose, startingMemories, type Decoder,
} from './decoders.js';

/** Per-layer decoding state; every tensor here is owned (kept) by the decoder. */
interface FullLayerState {
  /** (1, H, L, d) keys / values of the committed memory. */
  kMem: Tensor;
  vMem: Tensor;
  /** (1, H, 1, d) keys / values of the tokens of the current segment. */
  kSegment: Tensor[];
  vSegment: Tensor[];
}

/** The layer's full attention; a ConfigError for a long-short model (IncrementalDecoder decodes those). */
function fullAttention(model: TransformerLSModel, i: number): RelativeFullAttention {
  const { attn } = model.layers.modules[i];
  if (!(attn instanceof RelativeFullAttention)) {
    throw new ConfigError('FullIncrementalDecoder', 'model', "a model with attention: 'full' (IncrementalDecoder decodes long-short models)", 'a long-short model');
  }
  return attn;
}

/**
 * Incremental decoding of a full-attention model (config.attention 'full'): gives the
 * log-probabilities of a full forward pass over segments of `segmentLength` tokens. Each token
 * attends to all memLen + t cached keys, so its cost grows with the memory. The model must be in
 * eval mode (ConfigError otherwise).
 * @example const decoder = new FullIncrementalDecoder(model, 128); const logProbs = await decoder.push(id);
 */
export class FullIncrementalDecoder implements Decoder {
  readonly #layers: FullLayerState[];
  /** Per layer (1, H, L + T, d): R[δ] with row j ↔ distance L + T − 1 − j. */
  readonly #positions: Tensor[];
  #length = 0;

  /** `memories`: per layer (1, memLen, D) to start from (default zeros); the caller keeps its tensors. */
  constructor(readonly model: TransformerLSModel, readonly segmentLength: number, memories?: readonly Tensor[]) {
    checkSegmentLength(model, segmentLength);
    const attns = model.layers.modules.map((_, i) => fullAttention(model, i));
    const start = startingMemories(model, memories);
    const H = model.config.nHead;
    this.#positions = noGrad(() => attns.map((attn) => keep(attn.positions(model.config.memLen + segmentLength))));
    this.#layers = noGrad(() => start.map((memory, i) => {
      const state = keepAll(tidy(() => {
        const c1 = attentionInput(model.config, model.layers.modules[i], memory); // (1, L, D)
        return { kMem: splitHeads(attns[i].proj_key.forward(c1), H), vMem: splitHeads(attns[i].proj_val.forward(c1), H) }; // (1, H, L, d)
      }));
      memory.dispose();
      return { ...state, kSegment: [], vSegment: [] };
    }));
  }

  async push(token: number): Promise<Float32Array> {
    checkPush(this.model, token);
    const { dModel: D, nHead: H, memLen: L } = this.model.config;
    const d = D / H;
    const logProbs = noGrad(() => tidy(() => {
      let h = mul(this.model.in_emb.forward(fromArray(Int32Array.of(token), [1, 1], 'i32')), Math.sqrt(D)); // (1, 1, D)
      this.model.layers.modules.forEach((layer, i) => {
        const state = this.#layers[i];
        const attn = fullAttention(this.model, i);
        const x1 = attentionInput(this.model.config, layer, h); // (1, 1, D)
        const q = div(splitHeads(attn.proj_query.forward(x1), H), Math.sqrt(d)); // (1, H, 1, d), scaled before the biases
        state.kSegment.push(keep(splitHeads(attn.proj_key.forward(x1), H)));
        state.vSegment.push(keep(splitHeads(attn.proj_val.forward(x1), H)));
        const kSegment = concat(state.kSegment, 2); // (1, H, t, d)
        const vSegment = concat(state.vSegment, 2);
        const n = L + state.kSegment.length;
        const qu = add(q, attn.r_w_bias);
        const content = concat([matmul(qu, state.kMem, { transposeB: true }), matmul(qu, kSegment, { transposeB: true })], -1); // (1, H, 1, n)
        // NOTE: key m of the n visible ones is at distance n − 1 − m, i.e. row L + T − n + m of R.
        const rows = this.#positions[i].shape[2];
        const positional = slice(matmul(add(q, attn.r_r_bias), this.#positions[i], { transposeB: true }), [0, 0, 0, rows - n]); // (1, H, 1, n)
        const probs = softmax(add(content, positional), -1);
        const mixed = add(matmul(slice(probs, [0, 0, 0, 0], [1, H, 1, L]), state.vMem), matmul(slice(probs, [0, 0, 0, L]), vSegment)); // (1, H, 1, d)
        h = layerOutput(this.model.config, layer, h, x1, attn.proj_out.forward(mergeHeads(mixed)));
      });
      return nextLogProbs(this.model, h);
    }));
    this.#length += 1;
    if (this.#length % this.segmentLength === 0) this.#commit();
    return readAndDispose(logProbs);
  }

  /** A full segment: the memory's keys / values ← the last L of [memory; segment] (spec B.3 step 5). */
  #commit(): void {
    const T = this.segmentLength;
    for (const state of this.#layers) {
      const [kMem, vMem] = tidy(() => [concat([state.kMem, ...state.kSegment], 2), concat([state.vMem, ...state.vSegment], 2)].map((t) => keep(slice(t, [0, 0, T]))));
      for (const t of [state.kMem, state.vMem, ...state.kSegment, ...state.vSegment]) t.dispose();
      Object.assign(state, { kMem, vMem, kSegment: [], vSegment: [] });
    }
  }

  dispose(): void {
    for (const s of this.#layers) for (const t of [s.kMem, s.vMem, ...s.kSegment, ...s.vSegment]) t.dispose();
    for (const p of this.#positions) p.dispose();
  }
}
