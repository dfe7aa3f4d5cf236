// Full attention with a 2-D relative position bias and global tokens: the vision model's later
// stages (spec C.5; NVIDIA transformer-ls `imagenet/models/layers/full_attention.py`, Attention).
// Bias rows: image→image from `local_relative_position_bias_table` by (Δrow, Δcol); global→global
// `g2g_relative_position_bias`; global→image `g2l[0]`; image→global `g2l[1]`.
import {
  ConfigError, Linear, Module, Parameter, ShapeError, concat, expand, formatShape, fromArray, indexSelect,
  permute, reshape, slice, tidy, zeros, type Tensor,
} from '@longshort/tensor';
import { requireNonNegativeInt, requirePositiveInt } from '../config-check.js';
import { mergeHeads, splitHeads } from '../heads.js';
import { fullAttentionCore } from './full-attention.js';

export interface FullAttention2DConfig {
  dim: number;
  numHeads: number;
  numGlobal: number;
  /** Grid size (fixed resolution: the bias table depends on it). */
  nx: number;
  ny: number;
  rpe?: boolean;
  qkvBias?: boolean;
}

/** Index of (Δrow, Δcol) for every pair of image tokens, [nx·ny, nx·ny] (row-major tokens). */
export function relativePositionIndexFull(nx: number, ny: number): Int32Array {
  const n = nx * ny;
  const index = new Int32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const [ri, ci, rj, cj] = [Math.floor(i / ny), i % ny, Math.floor(j / ny), j % ny];
    index[i * n + j] = (ri - rj + nx - 1) * (2 * ny - 1) + (ci - cj + ny - 1);
  }
  return index;
}

export class FullAttention2D extends Module {
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly local_relative_position_bias_table: Parameter | null;
  readonly g2l_relative_position_bias: Parameter | null;
  readonly g2g_relative_position_bias: Parameter | null;
  readonly config: Required<FullAttention2DConfig>;

  constructor(config: FullAttention2DConfig) {
    super();
    const name = 'FullAttention2D';
    for (const key of ['dim', 'numHeads', 'nx', 'ny'] as const) requirePositiveInt(name, key, config[key]);
    requireNonNegativeInt(name, 'numGlobal', config.numGlobal);
    if (config.dim % config.numHeads !== 0) throw new ConfigError(name, 'numHeads', `a divisor of dim ${config.dim}`, String(config.numHeads));
    this.config = { rpe: true, qkvBias: true, ...config };
    const { dim: C, numHeads: H, numGlobal: g, nx, ny, rpe } = this.config;
    this.qkv = new Linear(C, 3 * C, { bias: this.config.qkvBias });
    this.proj = new Linear(C, C);
    this.local_relative_position_bias_table = rpe ? new Parameter(zeros([(2 * nx - 1) * (2 * ny - 1), H])) : null;
    this.g2l_relative_position_bias = rpe && g > 0 ? new Parameter(zeros([2, H, g])) : null;
    this.g2g_relative_position_bias = rpe && g > 0 ? new Parameter(zeros([H, g, g])) : null;
    if (rpe) this.registerBuffer('relative_position_index', fromArray(relativePositionIndexFull(nx, ny), [nx * ny, nx * ny], 'i32'));
  }

  /** (H, g + N, g + N) bias. */
  private bias(): Tensor {
    const { numHeads: H, numGlobal: g, nx, ny } = this.config;
    const n = nx * ny;
    const index = reshape(this.buffer('relative_position_index'), [-1]);
    const local = permute(reshape(indexSelect(this.local_relative_position_bias_table!, 0, index), [n, n, H]), [2, 0, 1]); // (H, N, N)
    if (g === 0) return local;
    const g2l = this.g2l_relative_position_bias!;
    const toImage = expand(reshape(slice(g2l, [0], [1]), [H, g, 1]), [H, g, n]); // global → image
    const fromImage = expand(reshape(slice(g2l, [1], [2]), [H, 1, g]), [H, n, g]); // image → global
    return concat([concat([this.g2g_relative_position_bias!, toImage], 2), concat([fromImage, local], 2)], 1);
  }

  /** x: (B, g + nx·ny, C). Returns the same shape. */
  forward(x: Tensor): Tensor {
    const { dim: C, numHeads: H, numGlobal: g, nx, ny } = this.config;
    if (x.rank !== 3 || x.shape[1] !== g + nx * ny || x.shape[2] !== C) {
      throw new ShapeError('SHAPE_MISMATCH', 'FullAttention2D', 'x', 'does not match the configured grid', `(B, ${g + nx * ny}, ${C})`, formatShape(x.shape));
    }
    return tidy(() => {
      const [B, N] = x.shape;
      const qkv = this.qkv.forward(x); // (B, N, 3C)
      const part = (i: number) => splitHeads(slice(qkv, [0, 0, i * C], [B, N, (i + 1) * C]), H); // (B, H, N, d)
      const bias = this.config.rpe ? reshape(this.bias(), [1, H, N, N]) : undefined;
      return this.proj.forward(mergeHeads(fullAttentionCore(part(0), part(1), part(2), { bias })));
    });
  }
}
