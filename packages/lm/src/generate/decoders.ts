// Decoders turn a token stream into next-token log-probabilities with exactly the semantics of
// feeding the text to TransformerLSModel in segments of T tokens with memories (spec B.3, B.5).
// SegmentDecoder re-runs the model on the current (partial) segment for every token: simple, and
// O(T) per token. IncrementalDecoder keeps, per layer, the last W window keys/values, the
// compressed memory and the compressed finished chunks of the current segment, so that a token
// costs O(W + compressed vectors); a full segment is committed to the memories as the model does.
import {
  ConfigError, add, concat, div, fromArray, keep, logSoftmax, matmul, mul, noGrad, permute, reshape, slice, softmax,
  tidy, type Tensor,
} from '@longshort/tensor';
import { CausalLongShortAttention, sinusoid } from '@longshort/attention';
import { blockLength } from '../eval/evaluate.js';
import type { TransformerLSConfig } from '../transformer-ls/config.js';
import type { TransformerLSLayer, TransformerLSModel } from '../transformer-ls/model.js';

/** Feeds tokens one at a time; each push returns the log-probabilities (V) of the next token. */
export interface Decoder {
  push(token: number): Promise<Float32Array>;
  /** Frees the decoder's tensors (not the model's). */
  dispose(): void;
}

export function checkSegmentLength(model: TransformerLSModel, T: number): void {
  const { chunkSize } = model.config;
  if (!Number.isInteger(T) || T <= 0 || T % chunkSize !== 0 || blockLength(T, model.config) !== T) {
    throw new ConfigError('decoder', 'segmentLength', `a multiple of chunkSize ${chunkSize}, and of windowLen ${model.config.windowLen} when longer than it`, String(T));
  }
}

/**
 * The decoder's own handles on its starting memories: `memories` (per layer (1, memLen, D), e.g. the
 * memories after segment forwards over a prompt; the caller keeps its tensors) or zeros.
 * @example const start = startingMemories(model, out.memories);
 */
export function startingMemories(model: TransformerLSModel, memories?: readonly Tensor[]): Tensor[] {
  if (memories === undefined) return model.initialMemories(1);
  const { nLayer, memLen, dModel } = model.config;
  const expected = `(1, ${memLen}, ${dModel})`;
  const shapes = memories.map((m) => `(${m.shape.join(', ')})`);
  if (memories.length !== nLayer || shapes.some((shape) => shape !== expected)) {
    throw new ConfigError('decoder', 'memories', `${nLayer} tensors ${expected} (one per layer)`, memories.length === 0 ? 'none' : shapes.join(', '));
  }
  return memories.map((m) => keep(m.detach()));
}

export function checkPush(model: TransformerLSModel, token: number): void {
  if (model.training) throw new ConfigError('decoder', 'model', 'a model in eval mode (model.eval(): no dropout)', 'one in training mode');
  if (!Number.isInteger(token) || token < 0 || token >= model.config.vocabSize) {
    throw new ConfigError('decoder', 'token', `an id in [0, ${model.config.vocabSize})`, String(token));
  }
}

/**
 * Recomputes the current segment for every token (the reference decoder). The model must be in
 * eval mode (ConfigError otherwise).
 * @example const decoder = new SegmentDecoder(model, 128); const logProbs = await decoder.push(id);
 */
export class SegmentDecoder implements Decoder {
  #memories: Tensor[];
  #pending: number[] = [];

  /** `memories`: per layer (1, memLen, D) to start from (default zeros); the caller keeps its tensors. */
  constructor(readonly model: TransformerLSModel, readonly segmentLength: number, memories?: readonly Tensor[]) {
    checkSegmentLength(model, segmentLength);
    this.#memories = startingMemories(model, memories);
  }

  async push(token: number): Promise<Float32Array> {
    checkPush(this.model, token);
    this.#pending.push(token);
    const P = this.#pending.length;
    const M = blockLength(P, this.model.config);
    const [row, memories] = noGrad(() => tidy(() => {
      const ids = new Int32Array(M);
      ids.set(this.#pending);
      const out = this.model.forward(fromArray(ids, [1, M], 'i32'), this.#memories);
      return [slice(out.logProbs, [0, P - 1], [1, P]), out.memories] as const; // (1, 1, V)
    }));
    if (P === this.segmentLength) {
      this.#memories.forEach((m) => m.dispose());
      this.#memories = [...memories];
      this.#pending = [];
    } else {
      memories.forEach((m) => m.dispose());
    }
    return readAndDispose(row);
  }

  dispose(): void {
    this.#memories.forEach((m) => m.dispose());
  }
}

/**
 * What the attention sees of a layer input: LN1 of it with pre-LN, itself with post-LN (spec B.4).
 * @example const x1 = attentionInput(model.config, layer, h); // (1, 1, D)
 */
export function attentionInput(config: TransformerLSConfig, layer: TransformerLSLayer, h: Tensor): Tensor {
  // NOTE: a separate handle (detach) in the post-LN case, since x1 and h are owned by different lists.
  return config.preLn ? layer.norm1.forward(h) : h.detach();
}

/**
 * The layer's output from its input h, the attention input x1 and the attention's output: the
 * residuals and the feed-forward of TransformerLSLayer.forward (spec B.4), without dropout.
 * @example h = layerOutput(model.config, layer, h, x1, attended); // (1, 1, D)
 */
export function layerOutput(config: TransformerLSConfig, layer: TransformerLSLayer, h: Tensor, x1: Tensor, attended: Tensor): Tensor {
  if (config.preLn) {
    const y1 = layer.norm2.forward(add(x1, attended)); // residuals from the normalised input (spec B.4)
    return add(y1, layer.ff.forward(y1));
  }
  const y = layer.norm1.forward(add(h, attended));
  return layer.norm2.forward(add(y, layer.ff.forward(y)));
}

/** The layer's long-short attention; a ConfigError for a full-attention model (FullIncrementalDecoder decodes those). */
function longShortAttention(layer: TransformerLSLayer): CausalLongShortAttention {
  if (!(layer.attn instanceof CausalLongShortAttention)) {
    throw new ConfigError('IncrementalDecoder', 'model', "a long-short model (FullIncrementalDecoder decodes attention: 'full')", 'a full-attention model');
  }
  return layer.attn;
}

/** (1, T, H·d) → (1, H, T, d). */
function heads(x: Tensor, H: number): Tensor {
  const [B, T, D] = x.shape;
  return permute(reshape(x, [B, T, H, D / H]), [0, 2, 1, 3]);
}

/** Per-layer decoding state; every tensor here is owned (kept) by the decoder. */
interface LayerState {
  /** (1, L, D) the committed memory: un-normalised layer inputs. */
  memory: Tensor;
  /** (1, 1, D) inputs of this layer for the tokens of the current segment. */
  inputs: Tensor[];
  /** (1, H, C_mem·r, d) compressed memory keys / values (spec B.5 step 2). */
  kMem: Tensor;
  vMem: Tensor;
  /** (1, H, r, d) per finished chunk of the current segment (step 4). */
  kChunks: Tensor[];
  vChunks: Tensor[];
  /** (1, 1, D) normalised inputs and raw keys / values of the current unfinished chunk. */
  chunkX: Tensor[];
  chunkK: Tensor[];
  chunkV: Tensor[];
  /** (1, H, W, d) the W most recent window keys / values (dual_ln_win), oldest first (step 3). */
  kWin: Tensor;
  vWin: Tensor;
}

/**
 * Incremental decoding (spec B.5 for one query at a time): per layer the last W window
 * keys/values and the compressed vectors are kept; each token runs one query through each layer.
 * Gives the log-probabilities of a full forward pass over segments of `segmentLength` tokens.
 * The model must be in eval mode (ConfigError otherwise).
 * @example const decoder = new IncrementalDecoder(model, 128); const logProbs = await decoder.push(id);
 */
export class IncrementalDecoder implements Decoder {
  readonly #layers: LayerState[];
  /** Per layer: (1, H, W, d) R_win and (1, H, Nmax, d) R_chunk with row t ↔ distance Nmax − 1 − t. */
  readonly #positions: { rWin: Tensor; rChunk: Tensor }[];
  readonly #maxCompressed: number;
  #length = 0;

  /** `memories`: per layer (1, memLen, D) to start from (default zeros); the caller keeps its tensors. */
  constructor(readonly model: TransformerLSModel, readonly segmentLength: number, memories?: readonly Tensor[]) {
    checkSegmentLength(model, segmentLength);
    model.layers.modules.forEach((layer) => longShortAttention(layer)); // a full-attention model throws here, before any allocation
    const start = startingMemories(model, memories);
    const { memLen: L, chunkSize: l, chunkRank: r, windowLen: W, dModel: D } = model.config;
    this.#maxCompressed = ((L + segmentLength) / l) * r;
    const descending = (n: number) => Array.from({ length: n }, (_, i) => n - 1 - i);
    this.#positions = noGrad(() => this.#layerModules().map((layer) => keepAll(tidy(() => ({
      rWin: heads(longShortAttention(layer).r_net.forward(reshape(sinusoid(descending(W), D), [1, W, D])), this.#H),
      rChunk: heads(longShortAttention(layer).r_net_chunk.forward(reshape(sinusoid(descending(this.#maxCompressed), D), [1, this.#maxCompressed, D])), this.#H),
    })))));
    this.#layers = start.map((memory, i) => ({
      memory, inputs: [], kChunks: [], vChunks: [], chunkX: [], chunkK: [], chunkV: [],
      ...this.#compressedMemory(this.#layerModules()[i], memory),
      ...this.#windowFromMemory(this.#layerModules()[i], memory),
    }));
  }

  get #H(): number {
    return this.model.config.nHead;
  }

  #layerModules(): TransformerLSLayer[] {
    return this.model.layers.modules;
  }

  /** Compressed memory keys / values: compress the normalised memory first, project after (spec B.5 step 2). */
  #compressedMemory(layer: TransformerLSLayer, memory: Tensor): { kMem: Tensor; vMem: Tensor } {
    const attn = longShortAttention(layer);
    return noGrad(() => keepAll(tidy(() => {
      const c1 = attentionInput(this.model.config, layer, memory); // (1, L, D)
      const u = compressChunks(layer, c1, c1); // (1, C_mem·r, D)
      return {
        kMem: heads(attn.dual_ln_dproj.forward(attn.proj_key.forward(u)), this.#H),
        vMem: heads(attn.dual_ln_dproj.forward(attn.proj_val.forward(u)), this.#H),
      };
    })));
  }

  /** The window keys / values of the memory's last W rows (spec B.5 step 3), before any token. */
  #windowFromMemory(layer: TransformerLSLayer, memory: Tensor): { kWin: Tensor; vWin: Tensor } {
    const attn = longShortAttention(layer);
    const { memLen: L, windowLen: W } = this.model.config;
    return noGrad(() => keepAll(tidy(() => {
      const recent = attentionInput(this.model.config, layer, slice(memory, [0, L - W])); // (1, W, D)
      return {
        kWin: heads(attn.dual_ln_win.forward(attn.proj_key.forward(recent)), this.#H),
        vWin: heads(attn.dual_ln_win.forward(attn.proj_val.forward(recent)), this.#H),
      };
    })));
  }

  async push(token: number): Promise<Float32Array> {
    checkPush(this.model, token);
    const { dModel: D, chunkSize: l } = this.model.config;
    const H = this.#H;
    const d = D / H;
    const logProbs = noGrad(() => tidy(() => {
      let h = mul(this.model.in_emb.forward(fromArray(Int32Array.of(token), [1, 1], 'i32')), Math.sqrt(D)); // (1, 1, D)
      this.#layerModules().forEach((layer, i) => {
        const state = this.#layers[i];
        const attn = longShortAttention(layer);
        const { rWin, rChunk } = this.#positions[i];
        state.inputs.push(keep(h));
        const x1 = attentionInput(this.model.config, layer, h); // (1, 1, D)
        const q = div(heads(attn.proj_query.forward(x1), H), Math.sqrt(d)); // (1, H, 1, d), scaled before the biases
        const kRaw = attn.proj_key.forward(x1);
        const vRaw = attn.proj_val.forward(x1);
        replace(state, 'kWin', concat([slice(state.kWin, [0, 0, 1]), heads(attn.dual_ln_win.forward(kRaw), H)], 2)); // (1, H, W, d)
        replace(state, 'vWin', concat([slice(state.vWin, [0, 0, 1]), heads(attn.dual_ln_win.forward(vRaw), H)], 2));
        // Visible compressed vectors: all of memory, and the current segment's chunks before this one.
        const kBar = concat([state.kMem, ...state.kChunks], 2); // (1, H, N, d)
        const vBar = concat([state.vMem, ...state.vChunks], 2);
        const N = kBar.shape[2];
        // NOTE: vector m has distance δ = N − 1 − m (spec B.5 with c < C_mem + a), i.e. row Nmax − N + m.
        const rVisible = slice(rChunk, [0, 0, this.#maxCompressed - N]); // (1, H, N, d)
        const compressedScores = add(matmul(q, kBar, { transposeB: true }), matmul(q, rVisible, { transposeB: true })); // (1, H, 1, N)
        const uBias = reshape(attn.r_w_bias, [1, H, 1, d]);
        const windowScores = add(matmul(add(q, uBias), state.kWin, { transposeB: true }), matmul(add(q, attn.r_r_bias), rWin, { transposeB: true })); // (1, H, 1, W)
        const probs = softmax(concat([compressedScores, windowScores], -1), -1);
        const mixed = add(matmul(slice(probs, [0, 0, 0, 0], [1, H, 1, N]), vBar), matmul(slice(probs, [0, 0, 0, N]), state.vWin)); // (1, H, 1, d)
        const attended = attn.proj_out.forward(reshape(permute(mixed, [0, 2, 1, 3]), [1, 1, D]));
        h = layerOutput(this.model.config, layer, h, x1, attended);
        state.chunkX.push(keep(x1));
        state.chunkK.push(keep(kRaw));
        state.chunkV.push(keep(vRaw));
        if (state.chunkX.length === l) this.#finishChunk(layer, state);
      });
      return nextLogProbs(this.model, h);
    }));
    this.#length += 1;
    if (this.#length % this.segmentLength === 0) this.#commit();
    return readAndDispose(logProbs);
  }

  /** Project first, compress after (un-normalised), then dual_ln_dproj (spec B.5 step 4). */
  #finishChunk(layer: TransformerLSLayer, state: LayerState): void {
    const H = this.#H;
    const attn = longShortAttention(layer);
    const x = concat(state.chunkX, 1); // (1, ℓ, D)
    state.kChunks.push(keep(heads(attn.dual_ln_dproj.forward(compressChunks(layer, x, concat(state.chunkK, 1))), H))); // (1, H, r, d)
    state.vChunks.push(keep(heads(attn.dual_ln_dproj.forward(compressChunks(layer, x, concat(state.chunkV, 1))), H)));
    for (const t of [...state.chunkX, ...state.chunkK, ...state.chunkV]) t.dispose();
    state.chunkX = [];
    state.chunkK = [];
    state.chunkV = [];
  }

  /** A full segment: memory ← the last L rows of [memory; layer inputs] (spec B.3 step 5). */
  #commit(): void {
    const T = this.segmentLength;
    this.#layerModules().forEach((layer, i) => {
      const state = this.#layers[i];
      const memory = keep(tidy(() => slice(concat([state.memory, ...state.inputs], 1), [0, T]))); // (1, L, D)
      for (const t of [state.memory, ...state.inputs, state.kMem, state.vMem, ...state.kChunks, ...state.vChunks]) t.dispose();
      Object.assign(state, { memory, inputs: [], kChunks: [], vChunks: [] }, this.#compressedMemory(layer, memory));
    });
  }

  dispose(): void {
    for (const s of this.#layers) {
      for (const t of [s.memory, s.kMem, s.vMem, s.kWin, s.vWin, ...s.inputs, ...s.kChunks, ...s.vChunks, ...s.chunkX, ...s.chunkK, ...s.chunkV]) t.dispose();
    }
    for (const p of this.#positions) {
      p.rWin.dispose();
      p.rChunk.dispose();
    }
  }
}

/** Replaces a kept state tensor with `next` (kept), freeing the old one. */
function replace(state: LayerState, key: 'kWin' | 'vWin', next: Tensor): void {
  state[key].dispose();
  state[key] = keep(next);
}

/** The next token's log-probabilities (V) from the last layer's output h (1, 1, D). */
export function nextLogProbs(model: TransformerLSModel, h: Tensor): Tensor {
  return reshape(logSoftmax(model.out_emb.forward(h), -1), [model.config.vocabSize]);
}

/** A tensor's values, read back; the tensor is disposed. */
export async function readAndDispose(t: Tensor): Promise<Float32Array> {
  const values = await t.data() as Float32Array;
  t.dispose();
  return values;
}

/** keep() on every tensor of a flat record; returns it. */
export function keepAll<R extends Record<string, Tensor>>(record: R): R {
  for (const t of Object.values(record)) keep(t);
  return record;
}

/**
 * The chunk-wise dynamic projection of CausalLongShortAttention (softmax of dconv_1 logits of
 * `logitsFrom` within each chunk of ℓ rows, applied per head slice to `values`).
 * NOTE: calls the attention module's own (TypeScript-private) method, so that the decoder can
 * never drift from the reference forward pass.
 */
function compressChunks(layer: TransformerLSLayer, logitsFrom: Tensor, values: Tensor): Tensor {
  return longShortAttention(layer)['compress'](logitsFrom, values);
}
