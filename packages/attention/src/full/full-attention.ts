// Full softmax attention, the baseline every comparison uses (the LRA `SoftmaxAttention`):
// scores Q·Kᵀ/√d (+ bias), −∞ at masked keys (and at future keys when causal), softmax, ·V.
// The core is two batched matmuls around a softmax, so it runs at matmul speed.
import {
  ConfigError, Linear, Module, ShapeError, add, formatShape, fromArray, matmul, mul, ne, reshape, softmax, tidy, where,
  type Tensor,
} from '@longshort/tensor';
import { requirePositiveInt } from '../config-check.js';
import { mergeHeads, splitHeads } from '../heads.js';

export interface AttentionCoreOptions {
  /** (B, Tk) key mask, nonzero = attend; padded keys get −∞. */
  keyMask?: Tensor;
  /** Queries may not see later keys (query i sees keys ≤ i + (Tk − Tq)). */
  causal?: boolean;
  /** Added to the scores before the softmax, broadcast to (B, H, Tq, Tk). */
  bias?: Tensor;
  /** Scale of Q·Kᵀ (default 1/√d). */
  scale?: number;
}

/** (Tq, Tk) mask: query i sees key j iff j ≤ i + Tk − Tq. */
function causalMask(Tq: number, Tk: number, backend: Tensor['backend']): Tensor {
  const allowed = new Uint8Array(Tq * Tk);
  for (let i = 0; i < Tq; i++) for (let j = 0; j <= Math.min(Tk - 1, i + Tk - Tq); j++) allowed[i * Tk + j] = 1;
  return fromArray(allowed, [Tq, Tk], 'bool', backend);
}

/**
 * softmax(Q·Kᵀ·scale + bias, masked) · V for q (B, H, Tq, d), k and v (B, H, Tk, d).
 * @example fullAttentionCore(q, k, v, { causal: true })
 */
export function fullAttentionCore(q: Tensor, k: Tensor, v: Tensor, options: AttentionCoreOptions = {}): Tensor {
  if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4 || q.shape[3] !== k.shape[3] || k.shape[2] !== v.shape[2]) {
    throw new ShapeError('SHAPE_MISMATCH', 'fullAttention', 'q, k, v', 'do not fit together', '(B, H, Tq, d), (B, H, Tk, d), (B, H, Tk, dv)',
      `${formatShape(q.shape)}, ${formatShape(k.shape)}, ${formatShape(v.shape)}`);
  }
  return tidy(() => {
    const [B, , Tq, d] = q.shape;
    const Tk = k.shape[2];
    let scores = mul(matmul(q, k, { transposeB: true }), options.scale ?? 1 / Math.sqrt(d)); // (B, H, Tq, Tk)
    if (options.bias) scores = add(scores, options.bias);
    if (options.keyMask) scores = where(reshape(ne(options.keyMask, 0), [B, 1, 1, Tk]), scores, -Infinity);
    if (options.causal) scores = where(causalMask(Tq, Tk, q.backend), scores, -Infinity);
    return matmul(softmax(scores, -1), v); // (B, H, Tq, dv)
  });
}

export interface FullAttentionConfig {
  dim: number;
  numHeads: number;
  causal?: boolean;
}

/** Multi-head full attention with W_q, W_k, W_v, W_o (the authors' LRA names). */
export class FullAttention extends Module {
  readonly W_q: Linear;
  readonly W_k: Linear;
  readonly W_v: Linear;
  readonly W_o: Linear;
  readonly config: Required<FullAttentionConfig>;

  constructor(config: FullAttentionConfig) {
    super();
    requirePositiveInt('FullAttention', 'dim', config.dim);
    requirePositiveInt('FullAttention', 'numHeads', config.numHeads);
    if (config.dim % config.numHeads !== 0) throw new ConfigError('FullAttention', 'numHeads', `a divisor of dim ${config.dim}`, String(config.numHeads));
    this.config = { causal: false, ...config };
    const D = config.dim;
    this.W_q = new Linear(D, D);
    this.W_k = new Linear(D, D);
    this.W_v = new Linear(D, D);
    this.W_o = new Linear(D, D);
  }

  /** x: (B, n, D); mask: (B, n), nonzero = real token. Returns (B, n, D). */
  forward(x: Tensor, mask?: Tensor): Tensor {
    return tidy(() => {
      const H = this.config.numHeads;
      const context = fullAttentionCore(splitHeads(this.W_q.forward(x), H), splitHeads(this.W_k.forward(x), H), splitHeads(this.W_v.forward(x), H),
        { keyMask: mask, causal: this.config.causal });
      return this.W_o.forward(mergeHeads(context));
    });
  }
}
