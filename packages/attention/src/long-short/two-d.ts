// 2-D long-short attention of the multi-scale vision transformer (spec Part C.2–C.4; NVIDIA
// transformer-ls `imagenet/models/layers/transformer_ls.py`, AttentionLS). One softmax over
// [r landmarks | T×T window of the query's tile | g global tokens]; `dual_ln_full` on all keys and
// values, `dual_ln_dp` on the landmarks; a relative position bias that reproduces the authors'
// index table, collisions included (C.4). Global tokens attend to the image tokens' outputs.
import {
  ConfigError, LayerNorm, Linear, Module, Parameter, ShapeError, add, concat, formatShape, fromArray, indexSelect,
  layerNorm, matmul, mul, permute, reshape, slice, softmax, tidy, where, zeros, type Tensor,
} from '@longshort/tensor';
import { requireNonNegativeInt, requirePositiveInt } from '../config-check.js';
import { mergeHeads, splitHeads } from '../heads.js';
import { windowBlocks, windowExtension } from './window.js';

export interface LongShortAttention2DConfig {
  dim: number;
  numHeads: number;
  /** Global (CLS) tokens in front of the image tokens. */
  numGlobal: number;
  /** Dynamic-projection rank r (0 disables landmarks). */
  rank: number;
  /** Window (tile) size w; the grid side must be a multiple of it. */
  window: number;
  /** Relative position bias inside the windows (the released models use it). */
  rpe?: boolean;
  qkvBias?: boolean;
  /** DualLN epsilon (1e-5, unlike the 1e-6 block LayerNorms). */
  layerNormEps?: number;
}

/** The authors' relative position index (C.4), [w², T_p²], including its collisions. */
export function relativePositionIndex2D(w: number): Int32Array {
  const wp = Math.floor(w / 2);
  const Tp = w + 2 * wp;
  const index = new Int32Array(w * w * Tp * Tp);
  for (let a = 0; a < w; a++) for (let b = 0; b < w; b++) {
    for (let p = 0; p < Tp; p++) for (let q = 0; q < Tp; q++) {
      index[(a * w + b) * Tp * Tp + p * Tp + q] = (a - p + 2 * wp + w - 1) * (2 * wp + w) + (b - q + 2 * wp + w - 1);
    }
  }
  return index;
}

/** Rows of the local relative position bias table: 2(w + w_p − 1)(2w_p + w + 1) + 1. */
export function relativePositionTableRows2D(w: number): number {
  const wp = Math.floor(w / 2);
  return 2 * (w + wp - 1) * (2 * wp + w + 1) + 1;
}

export class LongShortAttention2D extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly to_dynamic_projection: Linear | null;
  readonly dual_ln_dp: LayerNorm;
  readonly dual_ln_full: LayerNorm;
  readonly local_relative_position_bias_table: Parameter | null;
  readonly config: Required<LongShortAttention2DConfig>;

  constructor(config: LongShortAttention2DConfig) {
    super();
    const name = 'LongShortAttention2D';
    requirePositiveInt(name, 'dim', config.dim);
    requirePositiveInt(name, 'numHeads', config.numHeads);
    requireNonNegativeInt(name, 'numGlobal', config.numGlobal);
    requireNonNegativeInt(name, 'rank', config.rank);
    requirePositiveInt(name, 'window', config.window);
    if (config.dim % config.numHeads !== 0) throw new ConfigError(name, 'numHeads', `a divisor of dim ${config.dim}`, String(config.numHeads));
    this.config = { rpe: true, qkvBias: true, layerNormEps: 1e-5, ...config };
    if (this.config.rpe && config.window < 2) throw new ConfigError(name, 'window', 'at least 2 when rpe is on (spec C.4)', String(config.window));
    const { dim: C, numHeads: H, rank: r, window: w } = this.config;
    this.qkv = new Linear(C, 3 * C, { bias: this.config.qkvBias });
    this.proj = new Linear(C, C);
    this.to_dynamic_projection = r > 0 ? new Linear(C, H * r) : null;
    this.dual_ln_dp = new LayerNorm(C, { eps: this.config.layerNormEps });
    this.dual_ln_full = new LayerNorm(C, { eps: this.config.layerNormEps });
    this.local_relative_position_bias_table = this.config.rpe ? new Parameter(zeros([relativePositionTableRows2D(w), H])) : null;
    if (this.config.rpe) {
      const Tp = w + 2 * Math.floor(w / 2);
      this.registerBuffer('relative_position_index', fromArray(relativePositionIndex2D(w), [w * w, Tp * Tp], 'i32'));
    }
  }

  /** x: (B, g + nx², C) normalised by the block; nx: the (square) grid side. Returns the same shape. */
  forward(x: Tensor, nx: number): Tensor {
    const { dim: C, numGlobal: g, window: w } = this.config;
    if (x.rank !== 3 || x.shape[2] !== C || x.shape[1] !== g + nx * nx) {
      throw new ShapeError('SHAPE_MISMATCH', 'LongShortAttention2D', 'x', 'does not match the grid', `(B, ${g} + ${nx}², ${C})`, formatShape(x.shape));
    }
    if (nx % w !== 0) {
      throw new ShapeError('SHAPE_MISMATCH', 'LongShortAttention2D', 'grid side', `must be a multiple of the window ${w}`, `nx % ${w} == 0`, `nx = ${nx}`, 'choose an image size whose stage grids divide by the window');
    }
    return tidy(() => this.attend(x, nx));
  }

  private attend(x: Tensor, nx: number): Tensor {
    const { dim: C, numHeads: H, numGlobal: g, rank: r, window: w, layerNormEps: eps } = this.config;
    const d = C / H;
    const B = x.shape[0];
    const Nf = nx * nx;
    const G = nx / w;
    const s = windowExtension(w);
    const T = w + 2 * s;
    const lnFull = (t: Tensor) => layerNorm(t, this.dual_ln_full.weight, this.dual_ln_full.bias, { eps });
    const lnDp = (t: Tensor) => splitHeads(layerNorm(mergeHeads(t), this.dual_ln_dp.weight, this.dual_ln_dp.bias, { eps }), H);

    // 1-2. q (scaled), k, v (dual_ln_full on every token, globals included), split off the globals.
    const qkv = this.qkv.forward(x); // (B, N, 3C)
    const q = splitHeads(mul(slice(qkv, [0, 0, 0], [B, g + Nf, C]), d ** -0.5), H); // (B, H, N, d)
    const k = splitHeads(lnFull(slice(qkv, [0, 0, C], [B, g + Nf, 2 * C])), H);
    const v = splitHeads(lnFull(slice(qkv, [0, 0, 2 * C])), H);
    const image = (t: Tensor) => slice(t, [0, 0, g]); // (B, H, Nf, d)
    const globals = (t: Tensor) => slice(t, [0, 0, 0, 0], [B, H, g, d]); // (B, H, g, d)

    // Queries in tile order: (B, H, nx, nx, d) → (B, H, G·G, w·w, d).
    const toTiles = (t: Tensor) => reshape(permute(reshape(t, [B, H, G, w, G, w, d]), [0, 1, 2, 4, 3, 5, 6]), [B, H, G * G, w * w, d]);
    const fromTiles = (t: Tensor) => reshape(permute(reshape(t, [B, H, G, G, w, w, d]), [0, 1, 2, 4, 3, 5, 6]), [B, H, Nf, d]);
    const qTiles = toTiles(image(q));

    const scores: Tensor[] = [];
    const values: Tensor[] = [];
    // 3. Landmarks from the dynamic projection over the image tokens (no mask).
    if (r > 0) {
      const logits = this.to_dynamic_projection!.forward(slice(x, [0, g])); // (B, Nf, H·r)
      const p = permute(reshape(softmax(logits, 1), [B, Nf, H, r]), [0, 2, 3, 1]); // (B, H, r, Nf)
      const kBar = reshape(lnDp(matmul(p, image(k))), [B, H, 1, r, d]);
      const vBar = reshape(lnDp(matmul(p, image(v))), [B, H, 1, r, d]);
      scores.push(matmul(qTiles, kBar, { transposeB: true })); // (B, H, G², w², r)
      values.push(vBar);
    }
    // 4. Window: every query of a tile sees the same T×T keys (zeros, then −∞, outside the grid).
    const tileKeys = (t: Tensor) => {
      const grid = reshape(image(t), [B, H, nx, nx, d]);
      const blocks = windowBlocks(windowBlocks(grid, 2, w), 4, w); // (B, H, G, T, G, T, d)
      return reshape(permute(blocks, [0, 1, 2, 4, 3, 5, 6]), [B, H, G * G, T * T, d]);
    };
    let windowScores = matmul(qTiles, tileKeys(k), { transposeB: true }); // (B, H, G², w², T²)
    if (this.local_relative_position_bias_table) {
      const index = reshape(this.buffer('relative_position_index'), [-1]);
      const bias = permute(reshape(indexSelect(this.local_relative_position_bias_table, 0, index), [w * w, T * T, H]), [2, 0, 1]); // (H, w², T²)
      windowScores = add(windowScores, reshape(bias, [1, H, 1, w * w, T * T]));
    }
    scores.push(where(insideGrid(G, w, s, T, x.backend), windowScores, -Infinity));
    values.push(tileKeys(v));
    // 5. Global tokens.
    if (g > 0) {
      scores.push(matmul(qTiles, reshape(globals(k), [B, H, 1, g, d]), { transposeB: true })); // (B, H, G², w², g)
      values.push(reshape(globals(v), [B, H, 1, g, d]));
    }
    // 6-7. One softmax over [landmarks | window | globals].
    const probs = softmax(concat(scores, -1), -1);
    let offset = 0;
    let out: Tensor | null = null;
    for (const [i, value] of values.entries()) {
      const width = scores[i].shape[4];
      const part = matmul(slice(probs, [0, 0, 0, 0, offset], [B, H, G * G, w * w, offset + width]), value); // (B, H, G², w², d)
      out = out ? add(out, part) : part;
      offset += width;
    }
    let context = fromTiles(out!); // (B, H, Nf, d)
    // 8. Global tokens attend to themselves and to the image tokens' outputs.
    if (g > 0) {
      const qCls = globals(q);
      const p = softmax(concat([matmul(qCls, globals(k), { transposeB: true }), matmul(qCls, context, { transposeB: true })], -1), -1); // (B, H, g, g + Nf)
      const clsOut = add(matmul(slice(p, [0, 0, 0, 0], [B, H, g, g]), globals(v)), matmul(slice(p, [0, 0, 0, g]), context)); // (B, H, g, d)
      context = concat([clsOut, context], 2); // (B, H, g + Nf, d)
    }
    return this.proj.forward(mergeHeads(context)); // (B, g + Nf, C)
  }
}

/** (G², 1, T²) mask of tile keys that fall inside the grid. */
function insideGrid(G: number, w: number, s: number, T: number, backend: Tensor['backend']): Tensor {
  const nx = G * w;
  const mask = new Uint8Array(G * G * T * T);
  for (let gy = 0; gy < G; gy++) for (let gx = 0; gx < G; gx++) {
    for (let p = 0; p < T; p++) for (let q = 0; q < T; q++) {
      const y = gy * w - s + p;
      const xPos = gx * w - s + q;
      mask[(gy * G + gx) * T * T + p * T + q] = y >= 0 && y < nx && xPos >= 0 && xPos < nx ? 1 : 0;
    }
  }
  return fromArray(mask, [G * G, 1, T * T], 'bool', backend);
}
