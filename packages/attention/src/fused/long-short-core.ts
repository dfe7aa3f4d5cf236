// The bidirectional long-short attention core as one fusable op (spec A.3 steps 5–9, A.4): one
// softmax per query over [r' landmark keys | its segment's w + 2e window keys] (or only the token
// itself in the diagonal mode). The decomposition is the composed reference; backends may register
// kernels under `longShortAttention` / `longShortAttentionBackward` (CPU: ./long-short-core.cpu.ts).
import {
  ConfigError, DTypeError, ShapeError, add, applyOp, concat, defineOp, logsumexp, matmul, mul, reshape, slice, softmax, sum, where,
  zerosLike, type Tensor,
} from '@longshort/tensor';
import { windowBlocks, windowExtension } from '../long-short/window.js';
import { requireFloatDType, requireShape } from './validate.js';

export interface LongShortCoreAttrs {
  /** Segment (window) size w; 0 = no window. */
  readonly window: number;
  /** The w = 0, r = 0 mode: each query's only window key is itself (spec A.3 step 6). */
  readonly diagonal: boolean;
}

export interface LongShortCoreResult {
  /** (B, H, n, d) context; rows of padded queries are zero. */
  readonly context: Tensor;
  /** (B, H, n) logsumexp of each query's score row (0 for padded queries); the backward kernels use it. */
  readonly lse: Tensor;
}

/**
 * The composed reference: scores against landmarks and window blocks, one masked softmax, two
 * value products. Inputs q, k, v (B, H, n, d), kBar, vBar (B, H, r', d), valid (B, n).
 */
function composed([q, k, v, kBar, vBar, valid]: readonly Tensor[], { window: w, diagonal }: LongShortCoreAttrs): Tensor[] {
  const [B, H, n, d] = q.shape;
  const rPrime = kBar.shape[2];

  // 5-6. Scores: landmarks first, then the window (or the token itself in diagonal mode).
  const parts: Tensor[] = [];
  if (rPrime > 0) parts.push(matmul(q, kBar, { transposeB: true })); // (B, H, n, r')
  const G = w > 0 ? n / w : 0;
  const span = w > 0 ? w + 2 * windowExtension(w) : 0;
  const vWin = w > 0 ? windowBlocks(v, 2, w) : null; // (B, H, G, span, d)
  if (w > 0) {
    const kWin = windowBlocks(k, 2, w); // (B, H, G, span, d)
    const keyValid = reshape(windowBlocks(valid, 1, w), [B, 1, G, 1, span]); // padded/outside keys: −∞
    const scores = matmul(reshape(q, [B, H, G, w, d]), kWin, { transposeB: true }); // (B, H, G, w, span)
    parts.push(reshape(where(keyValid, scores, -Infinity), [B, H, n, span]));
  } else if (diagonal) {
    parts.push(sum(mul(q, k), -1, { keepDims: true })); // (B, H, n, 1): the token itself
  }
  const scores = parts.length === 1 ? parts[0] : concat(parts, -1); // (B, H, n, r' + keys)

  // 7-8. One softmax; rows of padded queries are zeroed (also clears all −∞ rows).
  const rows = reshape(valid, [B, 1, n, 1]);
  const probs = where(rows, softmax(scores, -1), 0);
  // NOTE: padded rows are replaced by 0 before logsumexp so that an all −∞ row (a padded query
  // whose window is all padding) cannot put NaN into the gradient.
  const lse = where(reshape(valid, [B, 1, n]), logsumexp(where(rows, scores, 0), -1), 0); // (B, H, n)

  // 9. Context.
  let context: Tensor | null = null;
  if (rPrime > 0) context = matmul(slice(probs, [0, 0, 0, 0], [B, H, n, rPrime]), vBar); // (B, H, n, d)
  if (w > 0) {
    const windowProbs = reshape(slice(probs, [0, 0, 0, rPrime]), [B, H, G, w, span]);
    const local = reshape(matmul(windowProbs, vWin!), [B, H, n, d]); // (B, H, n, d)
    context = context ? add(context, local) : local;
  } else if (diagonal) {
    const local = mul(slice(probs, [0, 0, 0, rPrime]), v); // (B, H, n, d)
    context = context ? add(context, local) : local;
  }
  return [context!, lse];
}

/**
 * Backward of the core (kernel only): inputs q, k, v, kBar, vBar, valid, context, lse, dContext,
 * dLse; outputs dq, dk, dv, dkBar, dvBar. Registered next to every forward kernel.
 * @example backend.registerKernel(longShortAttentionBackwardOp.name, myBackwardKernel);
 */
export const longShortAttentionBackwardOp = defineOp<LongShortCoreAttrs>({
  name: 'longShortAttentionBackward',
  infer: ([q, k, v, kBar, vBar]) => [q, k, v, kBar, vBar].map((t) => ({ shape: t.shape, dtype: t.dtype })),
});

/**
 * The fusable core: inputs q, k, v, kBar, vBar, valid; outputs context (B, H, n, d) and lse (B, H, n).
 * @example backend.registerKernel(longShortAttentionOp.name, myForwardKernel);
 */
export const longShortAttentionOp = defineOp<LongShortCoreAttrs>({
  name: 'longShortAttention',
  infer: ([q]) => [{ shape: q.shape, dtype: q.dtype }, { shape: q.shape.slice(0, 3), dtype: q.dtype }],
  decompose: composed,
  // Used only when a backend runs the forward kernel; the composed path differentiates its body.
  gradient: ({ inputs, outputs: [context, lse], attrs, grads: [dContext, dLse] }) => {
    const [q, k, v, kBar, vBar, valid] = inputs;
    const upstream = [dContext ?? zerosLike(context), dLse ?? zerosLike(lse)];
    return [...applyOp(longShortAttentionBackwardOp, [q, k, v, kBar, vBar, valid, context, lse, ...upstream], attrs), null];
  },
});

/**
 * Bidirectional long-short attention core: q (B, H, n, d) already scaled by 1/√d, k, v (B, H, n, d),
 * landmark keys/values kBar, vBar (B, H, r', d) (r' may be 0), valid (B, n) bool (false = padding,
 * both as key and as query). Runs the backend's fused kernel when it has one, else the composed ops.
 * @example const { context } = longShortCore(q, k, v, kBar, vBar, valid, { window: 8, diagonal: false });
 */
export function longShortCore(q: Tensor, k: Tensor, v: Tensor, kBar: Tensor, vBar: Tensor, valid: Tensor, attrs: LongShortCoreAttrs): LongShortCoreResult {
  const op = 'longShortAttention';
  requireShape(op, 'q', q, [null, null, null, null], '(B, H, n, d)');
  const [B, H, n, d] = q.shape;
  requireShape(op, 'k', k, [B, H, n, d], '(B, H, n, d)');
  requireShape(op, 'v', v, [B, H, n, d], '(B, H, n, d)');
  requireShape(op, 'kBar', kBar, [B, H, null, d], '(B, H, r\', d)');
  requireShape(op, 'vBar', vBar, [B, H, kBar.shape[2], d], '(B, H, r\', d)');
  requireShape(op, 'valid', valid, [B, n], '(B, n)');
  requireFloatDType(op, [['q', q], ['k', k], ['v', v], ['kBar', kBar], ['vBar', vBar]]);
  if (valid.dtype !== 'bool') throw new DTypeError('DTYPE_UNSUPPORTED', op, 'valid', 'bool', valid.dtype);
  const { window: w, diagonal } = attrs;
  if (!Number.isInteger(w) || w < 0) throw new ConfigError(op, 'window', 'a non-negative integer', String(w));
  if (diagonal && w > 0) throw new ConfigError(op, 'diagonal', 'false when window > 0 (the diagonal mode has no window)', 'true');
  if (w === 0 && !diagonal && kBar.shape[2] === 0) throw new ConfigError(op, 'window', 'a positive window, landmarks (r\' > 0) or the diagonal mode', 'none of them');
  if (w > 0 && n % w !== 0) throw new ShapeError('SHAPE_MISMATCH', op, 'sequence length', `must be a multiple of the window size ${w}`, `n % ${w} == 0`, `n = ${n}`);
  const [context, lse] = applyOp(longShortAttentionOp, [q, k, v, kBar, vBar, valid], { window: w, diagonal });
  return { context, lse };
}
