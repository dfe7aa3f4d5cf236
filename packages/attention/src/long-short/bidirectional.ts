// Bidirectional long-short attention, the Long Range Arena form (spec Part A; NVIDIA
// transformer-ls `lra/attention_transformer_ls.py`, class AttentionLS). One softmax over
// [CLS?, r dynamic-projection landmarks, w + 2e window keys]; DualLN: `dual_ln_l` on the full
// sequence's keys/values before both branches, `dual_ln_s` on the landmark (and CLS) keys/values.
import {
  ConfigError, LayerNorm, Linear, Module, ShapeError, add, concat, div, eq, formatShape, layerNorm, matmul,
  mul, ne, ones, permute, reshape, slice, softmax, sum, tidy, where, zeros, type Tensor,
} from '@longshort/tensor';
import { requireNonNegativeInt, requirePositiveInt } from '../config-check.js';
import { longShortCore } from '../fused/long-short-core.js';
import { mergeHeads, splitHeads } from '../heads.js';

export interface LongShortAttentionConfig {
  /** Model width D (= heads · headDim). */
  dim: number;
  numHeads: number;
  /** Dynamic-projection rank r (0 disables the long-range branch). */
  numLandmarks: number;
  /** Segment (window) size w (0 disables the window; then a CLS token is required if r = 0). */
  windowSize: number;
  /** 'cls' takes the first token as a global CLS token (the authors' `cls_from_seq`). */
  poolingMode?: 'mean' | 'cls';
  /** DualLN epsilon (1e-5 in the authors' code). */
  layerNormEps?: number;
}

/** Validates a bidirectional configuration (ConfigError names the field and the expectation). */
export function validateLongShortConfig(config: LongShortAttentionConfig): void {
  const name = 'LongShortAttention';
  requirePositiveInt(name, 'dim', config.dim);
  requirePositiveInt(name, 'numHeads', config.numHeads);
  requireNonNegativeInt(name, 'numLandmarks', config.numLandmarks);
  requireNonNegativeInt(name, 'windowSize', config.windowSize);
  if (config.dim % config.numHeads !== 0) {
    throw new ConfigError(name, 'numHeads', `a divisor of dim ${config.dim} (spec E.1: D = H·d)`, String(config.numHeads));
  }
  if (config.windowSize === 0 && config.numLandmarks === 0 && config.poolingMode !== 'cls') {
    throw new ConfigError(name, 'windowSize', 'a positive window or numLandmarks > 0 (or a CLS token)', 'windowSize 0 and numLandmarks 0');
  }
}

export class LongShortAttention extends Module {
  readonly W_q: Linear;
  readonly W_k: Linear;
  readonly W_v: Linear;
  readonly W_o: Linear;
  readonly dual_ln_s: LayerNorm;
  readonly dual_ln_l: LayerNorm;
  readonly dconv_fc: Linear;
  readonly config: Required<LongShortAttentionConfig>;

  constructor(config: LongShortAttentionConfig) {
    super();
    validateLongShortConfig(config);
    this.config = { poolingMode: 'mean', layerNormEps: 1e-5, ...config };
    const { dim: D, numHeads: H, numLandmarks: r } = config;
    this.W_q = new Linear(D, D);
    this.W_k = new Linear(D, D);
    this.W_v = new Linear(D, D);
    this.W_o = new Linear(D, D);
    this.dual_ln_s = new LayerNorm(D, { eps: this.config.layerNormEps });
    this.dual_ln_l = new LayerNorm(D, { eps: this.config.layerNormEps });
    this.dconv_fc = new Linear(D, H * r);
  }

  /**
   * x: (B, n, D), already normalised by the enclosing block; mask: (B, n), nonzero = real token;
   * cls: optional (B, 1, D) global token. Returns (B, n, D), or (B, 1 + n, D) with a CLS token.
   */
  forward(x: Tensor, mask?: Tensor, cls?: Tensor): Tensor {
    return tidy(() => {
      if (x.rank !== 3 || x.shape[2] !== this.config.dim) {
        throw new ShapeError('SHAPE_MISMATCH', 'LongShortAttention', 'x', 'has the wrong shape', `(B, n, ${this.config.dim})`, formatShape(x.shape));
      }
      let tokens = x;
      let valid = mask ? ne(mask, 0) : eq(ones([x.shape[0], x.shape[1]], 'f32', x.backend), 1);
      if (mask && (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1])) {
        throw new ShapeError('SHAPE_MISMATCH', 'LongShortAttention', 'mask', 'does not match x', `(${x.shape[0]}, ${x.shape[1]})`, formatShape(mask.shape));
      }
      let global = cls;
      if (this.config.poolingMode === 'cls') {
        global = slice(x, [0, 0], [x.shape[0], 1]); // (B, 1, D)
        tokens = slice(x, [0, 1]); // (B, n, D)
        valid = slice(valid, [0, 1]);
      }
      const n = tokens.shape[1];
      const w = this.config.windowSize;
      if (w > 0 && n % w !== 0) {
        throw new ShapeError('SHAPE_MISMATCH', 'LongShortAttention', 'sequence length', `must be a multiple of the window size ${w}`,
          `n % ${w} == 0`, `n = ${n}`, `pad the sequence to ${Math.ceil(n / w) * w} tokens with padSequence() and mask the padding`);
      }
      return this.attend(tokens, valid, global);
    });
  }

  private attend(x: Tensor, valid: Tensor, cls: Tensor | undefined): Tensor {
    const { numHeads: H, numLandmarks: r, windowSize: w, dim: D } = this.config;
    const d = D / H;
    const [B, n] = x.shape;
    const lnL = (t: Tensor) => layerNorm(t, this.dual_ln_l.weight, this.dual_ln_l.bias, { eps: this.config.layerNormEps });
    const lnS = (t: Tensor) => splitHeads(layerNorm(mergeHeads(t), this.dual_ln_s.weight, this.dual_ln_s.bias, { eps: this.config.layerNormEps }), H);

    // 1. Projections; 1/√d on Q before every dot product (spec E.2).
    const q = div(splitHeads(this.W_q.forward(x), H), Math.sqrt(d)); // (B, H, n, d)
    const k = splitHeads(lnL(this.W_k.forward(x)), H); // (B, H, n, d)
    const v = splitHeads(lnL(this.W_v.forward(x)), H); // (B, H, n, d)

    // 2-4. Dynamic projection over the sequence, CLS slot in front, then dual_ln_s.
    let kBar: Tensor | null = null;
    let vBar: Tensor | null = null;
    if (r > 0) {
      const logits = where(reshape(valid, [B, n, 1]), this.dconv_fc.forward(x), -Infinity); // (B, n, H·r)
      const p = permute(reshape(softmax(logits, 1), [B, n, H, r]), [0, 2, 3, 1]); // (B, H, r, n)
      kBar = matmul(p, k); // (B, H, r, d)
      vBar = matmul(p, v);
    }
    let clsParts: { q: Tensor; k: Tensor; v: Tensor } | null = null;
    if (cls) {
      clsParts = {
        q: div(splitHeads(this.W_q.forward(cls), H), Math.sqrt(d)), // (B, H, 1, d)
        k: splitHeads(this.W_k.forward(cls), H), // raw: no dual_ln_l (spec A.3 step 3)
        v: splitHeads(this.W_v.forward(cls), H),
      };
      kBar = kBar ? concat([clsParts.k, kBar], 2) : clsParts.k; // (B, H, 1 + r, d)
      vBar = vBar ? concat([clsParts.v, vBar], 2) : clsParts.v;
    }
    if (kBar && vBar) {
      kBar = lnS(kBar);
      vBar = lnS(vBar);
    }

    // 5-9. One softmax over [landmarks | window keys] and the context (the fused core op).
    const empty = () => zeros([B, H, 0, d], q.dtype, q.backend); // (B, H, 0, d): no landmarks
    let { context } = longShortCore(q, k, v, kBar ?? empty(), vBar ?? empty(), valid, { window: w, diagonal: w === 0 && r === 0 });

    // 10, 12. The CLS query attends to its raw key and to the context vectors.
    if (clsParts) {
      const self = sum(mul(clsParts.q, clsParts.k), -1, { keepDims: true }); // (B, H, 1, 1)
      const toContext = where(reshape(valid, [B, 1, 1, n]), matmul(clsParts.q, context, { transposeB: true }), -Infinity); // (B, H, 1, n)
      const p = softmax(concat([self, toContext], -1), -1); // (B, H, 1, 1 + n)
      const outCls = add(mul(slice(p, [0, 0, 0, 0], [B, H, 1, 1]), clsParts.v), matmul(slice(p, [0, 0, 0, 1]), context)); // (B, H, 1, d)
      context = concat([outCls, context], 2); // (B, H, 1 + n, d)
    }
    return this.W_o.forward(mergeHeads(context)); // (B, n(+1), D)
  }
}
