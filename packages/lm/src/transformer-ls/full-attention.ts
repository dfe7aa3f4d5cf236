// The full-attention baseline of the character model (spec Part B.10: Transformer-XL with a cache;
// Dai et al. 2019, `RelPartialLearnableMultiHeadAttn`): every query of the block attends causally
// to all of [memory; block] under one softmax, with the relative-position terms of the long-short
// window part (spec B.5 step 5): s[i, j] = (q̂_i + u)·k_j + (q̂_i + v)·R[δ], δ = L + i − j.
import {
  ConfigError, Linear, Module, Parameter, ShapeError, concat, div, formatShape, matmul, pad, reshape, slice, tidy,
  zeros, add, type Tensor,
} from '@longshort/tensor';
import { fullAttentionCore, mergeHeads, sinusoid, splitHeads } from '@longshort/attention';

export interface RelativeFullAttentionConfig {
  /** Model width D. */
  dim: number;
  numHeads: number;
  /** Biases on the q/k/v/out projections. */
  bias?: boolean;
}

/**
 * Transformer-XL's `_rel_shift`: raw (B, H, M, K) with column c ↔ distance K − 1 − c becomes
 * out[i, j] = raw[i, M − 1 − i + j] ↔ distance K − M + i − j, for j ≤ K − M + i (the causal part;
 * the entries after it hold other rows' values and must be masked).
 * @example relShift(matmul(qv, r, { transposeB: true })) // (B, H, M, K)
 */
export function relShift(raw: Tensor): Tensor {
  const [B, H, M, K] = raw.shape;
  // NOTE: one zero column in front, M rows of K + 1 read as one sequence, skip its first M values.
  const flat = reshape(pad(raw, [[1, 0]]), [B, H, M * (K + 1)]); // (B, H, M·(K + 1))
  return reshape(slice(flat, [0, 0, M], [B, H, M + M * K]), [B, H, M, K]);
}

/**
 * Causal relative full attention over [memory; block], the long-short layer's replacement in the
 * full-attention baseline. Parameter names follow CausalLongShortAttention where they mean the same.
 * @example const attn = new RelativeFullAttention({ dim: 128, numHeads: 4 }); const y = attn.forward(x1, c1);
 */
export class RelativeFullAttention extends Module {
  readonly proj_query: Linear;
  readonly proj_key: Linear;
  readonly proj_val: Linear;
  readonly proj_out: Linear;
  readonly r_net: Linear;
  /** u and v of the relative scores, (1, H, 1, d) each. */
  readonly r_w_bias: Parameter;
  readonly r_r_bias: Parameter;
  readonly config: Required<RelativeFullAttentionConfig>;

  constructor(config: RelativeFullAttentionConfig) {
    super();
    const name = 'RelativeFullAttention';
    for (const key of ['dim', 'numHeads'] as const) {
      if (!Number.isInteger(config[key]) || config[key] <= 0) throw new ConfigError(name, key, 'a positive integer', String(config[key]));
    }
    if (config.dim % config.numHeads !== 0) throw new ConfigError(name, 'numHeads', `a divisor of dim ${config.dim}`, String(config.numHeads));
    if (config.dim % 2 !== 0) throw new ConfigError(name, 'dim', 'an even number (sinusoidal positions)', String(config.dim));
    this.config = { bias: false, ...config };
    const { dim: D, numHeads: H, bias } = this.config;
    this.proj_query = new Linear(D, D, { bias });
    this.proj_key = new Linear(D, D, { bias });
    this.proj_val = new Linear(D, D, { bias });
    this.proj_out = new Linear(D, D, { bias });
    this.r_net = new Linear(D, D, { bias: false });
    this.r_w_bias = new Parameter(zeros([1, H, 1, D / H]));
    this.r_r_bias = new Parameter(zeros([1, H, 1, D / H]));
  }

  /**
   * The relative-position keys R[δ] for δ = K − 1 … 0 (row j ↔ distance K − 1 − j): (1, H, K, d).
   * @example attn.positions(256) // (1, 4, 256, 32)
   */
  positions(K: number): Tensor {
    const D = this.config.dim;
    return tidy(() => {
      const descending = Array.from({ length: K }, (_, j) => K - 1 - j);
      return splitHeads(this.r_net.forward(reshape(sinusoid(descending, D, this.r_net.weight.backend), [1, K, D])), this.config.numHeads);
    });
  }

  /**
   * x: (B, M, D) the normalised block; memory: (B, L, D) the normalised cache (zeros at the start
   * of a stream are attended to, as in the long-short model). Returns (B, M, D).
   */
  forward(x: Tensor, memory: Tensor): Tensor {
    const { dim: D, numHeads: H } = this.config;
    if (x.rank !== 3 || x.shape[2] !== D) throw new ShapeError('SHAPE_MISMATCH', 'RelativeFullAttention', 'x', 'has the wrong shape', `(B, M, ${D})`, formatShape(x.shape));
    if (memory.rank !== 3 || memory.shape[0] !== x.shape[0] || memory.shape[2] !== D) {
      throw new ShapeError('SHAPE_MISMATCH', 'RelativeFullAttention', 'memory', 'has the wrong shape', `(${x.shape[0]}, L, ${D})`, formatShape(memory.shape));
    }
    return tidy(() => {
      const joined = concat([memory, x], 1); // (B, K, D), K = L + M
      const K = joined.shape[1];
      const q = div(splitHeads(this.proj_query.forward(x), H), Math.sqrt(D / H)); // (B, H, M, d), scaled before the biases
      const k = splitHeads(this.proj_key.forward(joined), H); // (B, H, K, d)
      const v = splitHeads(this.proj_val.forward(joined), H);
      const positional = relShift(matmul(add(q, this.r_r_bias), this.positions(K), { transposeB: true })); // (B, H, M, K)
      // NOTE: q̂ is already scaled, so the core's scale is 1; `causal` lets query i see keys j ≤ L + i.
      const context = fullAttentionCore(add(q, this.r_w_bias), k, v, { causal: true, bias: positional, scale: 1 }); // (B, H, M, d)
      return this.proj_out.forward(mergeHeads(context)); // (B, M, D)
    });
  }
}
