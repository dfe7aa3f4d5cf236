// The causal long-short attention core as one fusable op (spec B.5 steps 5–6): one softmax per
// query over [N compressed vectors (visible chunks only, relative chunk positions) | W window keys
// (Transformer-XL positions)]. The decomposition is the composed reference (band tiles, chunk
// skew); backends may register kernels under `causalLongShortAttention` (+ `…Backward`).
import {
  ConfigError, ShapeError, add, applyOp, concat, defineOp, fromArray, logsumexp, matmul, reshape, slice, softmax, sum,
  where, zerosLike, type Tensor, type TensorMeta,
} from '@longshort/tensor';
import { embedBand, extractBand, skewChunks } from '../long-short/band.js';
import { requireFloatDType, requireShape } from './validate.js';

export interface CausalCoreAttrs {
  /** Dynamic-projection chunk size ℓ. */
  readonly chunkSize: number;
  /** Compressed vectors per chunk r. */
  readonly chunkRank: number;
  /** Chunks in the memory, C_mem = L / ℓ. */
  readonly memoryChunks: number;
}

export interface CausalCoreResult {
  /** (B, H, M, d) context. */
  readonly context: Tensor;
  /** (B, H, M) logsumexp of each query's score row; the backward kernels use it. */
  readonly lse: Tensor;
}

/** Chunk mask (spec B.3 step 4): query chunk a sees compressed vector m iff m < (C_mem + a)·r. */
function chunkVisibility(M: number, N: number, { chunkSize: l, chunkRank: r, memoryChunks }: CausalCoreAttrs, backend: Tensor['backend']): Tensor {
  const visible = new Uint8Array(M * N);
  for (let i = 0; i < M; i++) {
    const limit = (memoryChunks + Math.floor(i / l)) * r;
    for (let m = 0; m < Math.min(limit, N); m++) visible[i * N + m] = 1;
  }
  return fromArray(visible, [M, N], 'bool', backend);
}

/**
 * The composed reference. Inputs q (B, H, M, d) scaled, u, v (H, d) biases, kWin, vWin (B, H, W + M, d),
 * rWin (H, W, d), kBar, vBar (B, H, N, d), rChunk (H, N, d) (row ρ = distance N − 1 − ρ).
 */
function composed([q, u, vb, kWin, vWin, rWin, kBar, vBar, rChunk]: readonly Tensor[], attrs: CausalCoreAttrs): Tensor[] {
  const [B, H, M, d] = q.shape;
  const W = rWin.shape[1];
  const N = kBar.shape[2];
  const { chunkSize: l, chunkRank: r } = attrs;
  const Qc = M / l;

  // 5a. Window scores on tiles of `block` queries against `block + W` rows, then the band.
  const block = Math.min(M, W);
  const tiles = M / block;
  const span = block + W;
  const tileRows = (t: Tensor) => (M <= W
    ? reshape(t, [B, H, 1, span, d])
    : concat([reshape(slice(t, [0, 0, 0], [B, H, M]), [B, H, tiles, W, d]), reshape(slice(t, [0, 0, W]), [B, H, tiles, W, d])], 3)); // (B, H, tiles, span, d)
  const content = matmul(reshape(add(q, reshape(u, [1, H, 1, d])), [B, H, tiles, block, d]), tileRows(kWin), { transposeB: true }); // (B, H, tiles, block, span)
  const position = matmul(add(q, reshape(vb, [1, H, 1, d])), reshape(rWin, [1, H, W, d]), { transposeB: true }); // (B, H, M, W)
  const windowScores = add(reshape(extractBand(content, W), [B, H, M, W]), position); // (B, H, M, W)

  // 5b. Compressed scores with relative chunk positions, masked to visible chunks.
  const chunkPosition = reshape(skewChunks(reshape(matmul(q, reshape(rChunk, [1, H, N, d]), { transposeB: true }), [B, H, Qc, l, N]), r), [B, H, M, N]);
  const compressedScores = where(chunkVisibility(M, N, attrs, q.backend), add(matmul(q, kBar, { transposeB: true }), chunkPosition), -Infinity); // (B, H, M, N)

  // 6. One softmax over [compressed | window]; values re-embedded into their tiles.
  const scores = concat([compressedScores, windowScores], -1); // (B, H, M, N + W)
  const probs = softmax(scores, -1);
  const fromCompressed = matmul(slice(probs, [0, 0, 0, 0], [B, H, M, N]), vBar); // (B, H, M, d)
  const windowProbs = embedBand(reshape(slice(probs, [0, 0, 0, N]), [B, H, tiles, block, W]), span); // (B, H, tiles, block, span)
  const fromWindow = reshape(matmul(windowProbs, tileRows(vWin)), [B, H, M, d]);
  return [add(fromCompressed, fromWindow), logsumexp(scores, -1)];
}

/**
 * Backward of the causal core (kernel only): inputs q, u, v, kWin, vWin, rWin, kBar, vBar, rChunk,
 * context, lse, dContext, dLse; outputs dq, du (B, H, d), dv (B, H, d), dkWin, dvWin, drWin (B, H, W, d),
 * dkBar, dvBar, drChunk (B, H, N, d): the per-head parameters' gradients per batch row, summed by the rule.
 * @example backend.registerKernel(causalLongShortAttentionBackwardOp.name, myBackwardKernel);
 */
export const causalLongShortAttentionBackwardOp = defineOp<CausalCoreAttrs>({
  name: 'causalLongShortAttentionBackward',
  infer: ([q, u, vb, kWin, vWin, rWin, kBar, vBar, rChunk]) => {
    const perBatch = (t: TensorMeta): TensorMeta => ({ shape: [q.shape[0], ...t.shape], dtype: t.dtype });
    return [q, perBatch(u), perBatch(vb), kWin, vWin, perBatch(rWin), kBar, vBar, perBatch(rChunk)].map(({ shape, dtype }) => ({ shape, dtype }));
  },
});

/**
 * The fusable causal core: inputs q, u, v, kWin, vWin, rWin, kBar, vBar, rChunk; outputs context (B, H, M, d) and lse (B, H, M).
 * @example backend.registerKernel(causalLongShortAttentionOp.name, myForwardKernel);
 */
export const causalLongShortAttentionOp = defineOp<CausalCoreAttrs>({
  name: 'causalLongShortAttention',
  infer: ([q]) => [{ shape: q.shape, dtype: q.dtype }, { shape: q.shape.slice(0, 3), dtype: q.dtype }],
  decompose: composed,
  // Used only when a backend runs the forward kernel; the composed path differentiates its body.
  gradient: ({ inputs, outputs: [context, lse], attrs, grads: [dContext, dLse] }) => {
    const upstream = [dContext ?? zerosLike(context), dLse ?? zerosLike(lse)];
    const [dq, du, dv, dkWin, dvWin, drWin, dkBar, dvBar, drChunk] = applyOp(causalLongShortAttentionBackwardOp, [...inputs, context, lse, ...upstream], attrs);
    return [dq, sum(du, 0), sum(dv, 0), dkWin, dvWin, sum(drWin, 0), dkBar, dvBar, sum(drChunk, 0)];
  },
});

/** The causal core's inputs (spec B.5 notation). */
export interface CausalCoreInputs {
  /** (B, H, M, d) queries q̂ = q / √d. */
  readonly q: Tensor;
  /** (H, d) content bias u (r_w_bias). */
  readonly u: Tensor;
  /** (H, d) position bias v (r_r_bias). */
  readonly v: Tensor;
  /** (B, H, W + M, d) window keys and values: the last W memory rows, then the block. */
  readonly kWin: Tensor;
  readonly vWin: Tensor;
  /** (H, W, d) window position vectors; slot j = distance W − 1 − j. */
  readonly rWin: Tensor;
  /** (B, H, N, d) compressed keys and values, N = (C_mem + M/ℓ)·r, chunk-major. */
  readonly kBar: Tensor;
  readonly vBar: Tensor;
  /** (H, N, d) chunk position vectors R_chunk(PE(N − 1 … 0)): row ρ is distance δ = N − 1 − ρ. */
  readonly rChunk: Tensor;
}

/**
 * Causal long-short attention core (spec B.5 steps 5–6). Runs the backend's fused kernel when it
 * has one, else the composed ops.
 * @example const { context } = causalLongShortCore({ q, u, v, kWin, vWin, rWin, kBar, vBar, rChunk }, { chunkSize: 4, chunkRank: 1, memoryChunks: 2 });
 */
export function causalLongShortCore(inputs: CausalCoreInputs, attrs: CausalCoreAttrs): CausalCoreResult {
  const op = 'causalLongShortAttention';
  const { q, u, v, kWin, vWin, rWin, kBar, vBar, rChunk } = inputs;
  requireShape(op, 'q', q, [null, null, null, null], '(B, H, M, d)');
  const [B, H, M, d] = q.shape;
  requireShape(op, 'rWin', rWin, [H, null, d], '(H, W, d)');
  const W = rWin.shape[1];
  const { chunkSize: l, chunkRank: r, memoryChunks } = attrs;
  for (const [key, value] of [['chunkSize', l], ['chunkRank', r], ['memoryChunks', memoryChunks]] as const) {
    const least = key === 'memoryChunks' ? 0 : 1;
    if (!Number.isInteger(value) || value < least) throw new ConfigError(op, key, least ? 'a positive integer' : 'a non-negative integer', String(value));
  }
  if (M % l !== 0) throw new ShapeError('SHAPE_MISMATCH', op, 'block length', `must be a multiple of chunkSize ${l}`, `M % ${l} == 0`, `M = ${M}`);
  if (W === 0 || (M > W && M % W !== 0)) throw new ShapeError('SHAPE_MISMATCH', op, 'block length', `must be at most, or a multiple of, the window ${W}`, `M <= ${W} or M % ${W} == 0`, `M = ${M}`);
  const N = (memoryChunks + M / l) * r;
  requireShape(op, 'u', u, [H, d], '(H, d)');
  requireShape(op, 'v', v, [H, d], '(H, d)');
  requireShape(op, 'kWin', kWin, [B, H, W + M, d], '(B, H, W + M, d)');
  requireShape(op, 'vWin', vWin, [B, H, W + M, d], '(B, H, W + M, d)');
  requireShape(op, 'kBar', kBar, [B, H, N, d], '(B, H, (C_mem + M/ℓ)·r, d)');
  requireShape(op, 'vBar', vBar, [B, H, N, d], '(B, H, (C_mem + M/ℓ)·r, d)');
  requireShape(op, 'rChunk', rChunk, [H, N, d], '(H, N, d)');
  requireFloatDType(op, [['q', q], ['u', u], ['v', v], ['kWin', kWin], ['vWin', vWin], ['rWin', rWin], ['kBar', kBar], ['vBar', vBar], ['rChunk', rChunk]]);
  const [context, lse] = applyOp(causalLongShortAttentionOp, [q, u, v, kWin, vWin, rWin, kBar, vBar, rChunk], { chunkSize: l, chunkRank: r, memoryChunks });
  return { context, lse };
}
