// Causal long-short attention of the autoregressive character model (spec Part B.5; NVIDIA
// transformer-ls `autoregressive/model_lib/layer.py`, ChunkedLSAttention). Each query attends,
// under one softmax, to (a) compressed vectors: chunk-wise dynamic projections of the memory
// (compressed before projection) and of the current block (projected before compression) with
// relative chunk positions, and (b) the W most recent tokens (itself included) with Transformer-XL
// relative positions. DualLN: `dual_ln_win` on window keys/values, `dual_ln_dproj` on compressed.
import {
  ConfigError, LayerNorm, Linear, Module, Parameter, ShapeError, concat, div, formatShape, layerNorm, matmul, permute,
  reshape, slice, softmax, tidy, zeros, type Tensor,
} from '@longshort/tensor';
import { requirePositiveInt } from '../config-check.js';
import { causalLongShortCore } from '../fused/causal-core.js';
import { mergeHeads, splitHeads } from '../heads.js';
import { descending, sinusoid } from './sinusoid.js';

export interface CausalLongShortConfig {
  /** Model width D. */
  dim: number;
  numHeads: number;
  /** Dynamic-projection chunk size ℓ. */
  chunkSize: number;
  /** Compressed vectors per chunk r. */
  chunkRank: number;
  /** Window length W (the query itself and the W − 1 tokens before it). */
  windowLen: number;
  /** Biases on the q/k/v/out projections (the released models have none). */
  bias?: boolean;
  /** DualLN epsilon (1e-5). */
  layerNormEps?: number;
}

export function validateCausalConfig(config: CausalLongShortConfig): void {
  const name = 'CausalLongShortAttention';
  for (const key of ['dim', 'numHeads', 'chunkSize', 'chunkRank', 'windowLen'] as const) requirePositiveInt(name, key, config[key]);
  if (config.dim % config.numHeads !== 0) throw new ConfigError(name, 'numHeads', `a divisor of dim ${config.dim}`, String(config.numHeads));
  if (config.dim % 2 !== 0) throw new ConfigError(name, 'dim', 'an even number (sinusoidal positions)', String(config.dim));
}

/** Checks the block/memory lengths against spec E.8 (the original crashes otherwise). */
export function validateCausalLengths(config: CausalLongShortConfig, M: number, L: number): void {
  const op = 'CausalLongShortAttention';
  const { chunkSize: l, windowLen: W } = config;
  if (M % l !== 0) throw new ShapeError('SHAPE_MISMATCH', op, 'block length', `must be a multiple of chunkSize ${l}`, `M % ${l} == 0`, `M = ${M}`, 'pad the block (the language model pads to a multiple of lcm(chunkSize, windowLen))');
  if (M > W && M % W !== 0) throw new ShapeError('SHAPE_MISMATCH', op, 'block length', `must be a multiple of windowLen ${W} when longer than it`, `M % ${W} == 0`, `M = ${M}`);
  if (L % l !== 0) throw new ShapeError('SHAPE_MISMATCH', op, 'memory length', `must be a multiple of chunkSize ${l}`, `L % ${l} == 0`, `L = ${L}`);
  if (L < W) throw new ShapeError('SHAPE_MISMATCH', op, 'memory length', `must be at least windowLen ${W}`, `L >= ${W}`, `L = ${L}`);
}

export class CausalLongShortAttention extends Module {
  readonly proj_query: Linear;
  readonly proj_key: Linear;
  readonly proj_val: Linear;
  readonly proj_out: Linear;
  readonly dconv_1: Linear;
  readonly r_net: Linear;
  readonly r_net_chunk: Linear;
  readonly r_w_bias: Parameter;
  readonly r_r_bias: Parameter;
  readonly dual_ln_dproj: LayerNorm;
  readonly dual_ln_win: LayerNorm;
  readonly config: Required<CausalLongShortConfig>;

  constructor(config: CausalLongShortConfig) {
    super();
    validateCausalConfig(config);
    this.config = { bias: false, layerNormEps: 1e-5, ...config };
    const { dim: D, numHeads: H, chunkRank: r, bias } = this.config;
    const d = D / H;
    this.proj_query = new Linear(D, D, { bias });
    this.proj_key = new Linear(D, D, { bias });
    this.proj_val = new Linear(D, D, { bias });
    this.proj_out = new Linear(D, D, { bias });
    this.dconv_1 = new Linear(D, H * r);
    this.r_net = new Linear(D, D, { bias: false });
    this.r_net_chunk = new Linear(D, D);
    this.r_w_bias = new Parameter(zeros([1, H, 1, 1, d]));
    this.r_r_bias = new Parameter(zeros([1, H, 1, d]));
    this.dual_ln_dproj = new LayerNorm(D, { eps: this.config.layerNormEps });
    this.dual_ln_win = new LayerNorm(D, { eps: this.config.layerNormEps });
  }

  /**
   * x: (B, M, D) the normalised block; memory: (B, L, D) the normalised cache (zeros at the start
   * of a stream: they are attended to, spec E.7). Returns (B, M, D).
   */
  forward(x: Tensor, memory: Tensor): Tensor {
    const { dim: D } = this.config;
    if (x.rank !== 3 || x.shape[2] !== D) throw new ShapeError('SHAPE_MISMATCH', 'CausalLongShortAttention', 'x', 'has the wrong shape', `(B, M, ${D})`, formatShape(x.shape));
    if (memory.rank !== 3 || memory.shape[0] !== x.shape[0] || memory.shape[2] !== D) {
      throw new ShapeError('SHAPE_MISMATCH', 'CausalLongShortAttention', 'memory', 'has the wrong shape', `(${x.shape[0]}, L, ${D})`, formatShape(memory.shape));
    }
    validateCausalLengths(this.config, x.shape[1], memory.shape[1]);
    return tidy(() => this.attend(x, memory));
  }

  /** Chunk-wise dynamic projection: softmax of `logitsFrom`'s logits within each chunk of ℓ rows, applied to `values`. */
  private compress(logitsFrom: Tensor, values: Tensor): Tensor {
    const { numHeads: H, chunkRank: r, chunkSize: l, dim: D } = this.config;
    const [B, T] = values.shape;
    const C = T / l;
    const alpha = softmax(reshape(this.dconv_1.forward(logitsFrom), [B, C, l, H, r]), 2); // (B, C, ℓ, H, r)
    const weights = permute(alpha, [0, 1, 3, 4, 2]); // (B, C, H, r, ℓ)
    const slices = permute(reshape(values, [B, C, l, H, D / H]), [0, 1, 3, 2, 4]); // (B, C, H, ℓ, d)
    const compressed = matmul(weights, slices); // (B, C, H, r, d)
    return reshape(permute(compressed, [0, 1, 3, 2, 4]), [B, C * r, D]); // (B, C·r, D), chunk-major
  }

  private attend(x: Tensor, memory: Tensor): Tensor {
    const { numHeads: H, chunkRank: r, chunkSize: l, windowLen: W, dim: D, layerNormEps: eps } = this.config;
    const d = D / H;
    const M = x.shape[1];
    const L = memory.shape[1];
    const cMem = L / l;
    const Qc = M / l;
    const N = (cMem + Qc) * r;
    const lnDproj = (t: Tensor) => layerNorm(t, this.dual_ln_dproj.weight, this.dual_ln_dproj.bias, { eps });
    const lnWin = (t: Tensor) => layerNorm(t, this.dual_ln_win.weight, this.dual_ln_win.bias, { eps });

    // 1. Queries, scaled before the biases are added (spec E.2).
    const q = div(splitHeads(this.proj_query.forward(x), H), Math.sqrt(d)); // (B, H, M, d)

    // 2. Memory: compress first, project after.
    const u = this.compress(memory, memory); // (B, Cmem·r, D)
    const kMem = lnDproj(this.proj_key.forward(u));
    const vMem = lnDproj(this.proj_val.forward(u));

    // 3. Window keys/values: the last W memory rows, then the block.
    const kRaw = this.proj_key.forward(x); // (B, M, D)
    const vRaw = this.proj_val.forward(x);
    const recent = slice(memory, [0, L - W]); // (B, W, D)
    const kWin = splitHeads(lnWin(concat([this.proj_key.forward(recent), kRaw], 1)), H); // (B, H, W + M, d)
    const vWin = splitHeads(lnWin(concat([this.proj_val.forward(recent), vRaw], 1)), H);

    // 4. Current block: project first, compress after (un-normalised), then dual_ln_dproj.
    const kBar = splitHeads(concat([kMem, lnDproj(this.compress(x, kRaw))], 1), H); // (B, H, N, d)
    const vBar = splitHeads(concat([vMem, lnDproj(this.compress(x, vRaw))], 1), H);

    // 5-6. Positions, then one softmax over [compressed | window] and the context (the fused core op).
    const rWin = reshape(splitHeads(this.r_net.forward(reshape(sinusoid(descending(W), D, x.backend), [1, W, D])), H), [H, W, d]); // (H, W, d)
    const rChunk = reshape(splitHeads(this.r_net_chunk.forward(reshape(sinusoid(descending(N), D, x.backend), [1, N, D])), H), [H, N, d]); // (H, N, d)
    const biases = { u: reshape(this.r_w_bias, [H, d]), v: reshape(this.r_r_bias, [H, d]) }; // (H, d) each
    const { context } = causalLongShortCore({ q, ...biases, kWin, vWin, rWin, kBar, vBar, rChunk }, { chunkSize: l, chunkRank: r, memoryChunks: cMem });
    return this.proj_out.forward(mergeHeads(context)); // (B, M, D)
  }
}
