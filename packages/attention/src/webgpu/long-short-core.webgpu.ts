// WebGPU kernels of the fused bidirectional long-short core (spec A.3 steps 5–9; semantics as
// ../fused/long-short-core.cpu.ts): the forward is one dispatch (online softmax over key tiles in
// workgroup memory), the backward five (per-row stats; dq query-major; dk, dv of local keys
// key-major; landmark partials per query chunk; their reduction in a fixed order). Extra memory
// is O(n·d): no score matrix is ever stored.
import type { LongShortCoreAttrs } from '../fused/long-short-core.js';
import { windowExtension } from '../long-short/window.js';
import { defineWebGPUKernel, linkWgsl, snippets, type GpuView, type KernelContext, type ParamsValues, type Program } from '@longshort/webgpu';
import commonWgsl from './long-short-common.wgsl';
import dkvWgsl from './long-short-dkv.wgsl';
import dqWgsl from './long-short-dq.wgsl';
import forwardWgsl from './long-short-forward.wgsl';
import keyGradsWgsl from './long-short-key-grads.wgsl';
import keyTilesWgsl from './long-short-key-tiles.wgsl';
import landmarksReduceWgsl from './long-short-landmarks-reduce.wgsl';
import landmarksWgsl from './long-short-landmarks.wgsl';
import statsWgsl from './long-short-stats.wgsl';
import { constantsHeader, requireF32, requireGrids, tileRows, workgroupSize } from './tiles.js';

/** Queries per partial of the landmark gradients (CHUNK in the WGSL). */
const landmarkChunk = 256;

/** The sizes of one call and the Params every dispatch shares (all but `groups`). */
interface Problem {
  readonly heads: number;
  readonly n: number;
  readonly d: number;
  readonly rp: number;
  readonly chunks: number;
  readonly params: ParamsValues;
  /** Builds the Program of one kernel (label, WGSL parts after the header). */
  readonly program: (label: string, ...parts: string[]) => Program;
}

function problemOf(context: KernelContext, op: string, inputs: readonly GpuView[], { window: w, diagonal }: LongShortCoreAttrs): Problem {
  const [q, , , kBar] = inputs;
  requireF32(op, q);
  const [B, H, n, d] = q.shape;
  const rp = kBar.shape[2];
  const rows = tileRows(context, d, op);
  const header = `${constantsHeader(d, rows)}\nconst CHUNK: u32 = ${landmarkChunk}u;`;
  const chunks = Math.ceil(n / landmarkChunk);
  return {
    heads: B * H, n, d, rp, chunks,
    params: {
      heads: B * H, H, n, rp, w, e: w > 0 ? windowExtension(w) : 0, diagonal: diagonal ? 1 : 0, chunks,
      offsets: inputs.map((view) => view.offset),
    },
    program: (label, ...parts) => ({ label, key: `d${d}t${rows}`, code: () => linkWgsl(header, snippets.index, commonWgsl, ...parts) }),
  };
}

const blocks = (count: number) => Math.ceil(count / workgroupSize);

/**
 * Forward: inputs q, k, v (B, H, n, d), kBar, vBar (B, H, r', d), valid (B, n); outputs context
 * (B, H, n, d) and lse (B, H, n). One workgroup per (head, block of 64 queries).
 * @example const backend = await createWebGPUBackend({ kernels: [[longShortAttentionWebGPU, longShortAttentionBackwardWebGPU]] });
 */
export const longShortAttentionWebGPU = defineWebGPUKernel<LongShortCoreAttrs>('longShortAttention', {
  run(context, inputs, [out, lse], attrs) {
    const p = problemOf(context, 'longShortAttention', inputs, attrs);
    if (p.heads * p.n === 0) return;
    const groups = blocks(p.n);
    context.dispatch(p.program('longShortAttention', keyTilesWgsl, forwardWgsl), [...inputs.map((view) => view.data.buffer), out.data.buffer, lse.data.buffer],
      { ...p.params, groups }, p.heads * groups);
  },
});

/**
 * Backward: inputs q, k, v, kBar, vBar, valid, context, lse, dContext, dLse; outputs dq, dk, dv,
 * dkBar, dvBar. Probabilities are recomputed from the saved lse (dS = P ∘ (dP − D), D = rowsum(dO ∘ O) − dlse).
 * @example const backend = await createWebGPUBackend({ kernels: [[longShortAttentionWebGPU, longShortAttentionBackwardWebGPU]] });
 */
export const longShortAttentionBackwardWebGPU = defineWebGPUKernel<LongShortCoreAttrs>('longShortAttentionBackward', {
  run(context, inputs, [dq, dk, dv, dkBar, dvBar], attrs) {
    const p = problemOf(context, 'longShortAttentionBackward', inputs, attrs);
    if (p.heads * p.n === 0) return;
    const [q, k, v, kBar, vBar, valid, out, lse, dOut, dLse] = inputs.map((view) => view.data.buffer);
    const rowsPerHead = blocks(p.n);
    const landmarkGroups = p.chunks * blocks(p.rp);
    requireGrids(context, 'longShortAttentionBackward', [blocks(p.heads * p.n), p.heads * rowsPerHead, p.heads * landmarkGroups, blocks(p.heads * p.rp * p.d)]);
    const stats = context.scratch(p.heads * p.n * 16); // (B·H, n) vec4: lse, D, valid, 0
    context.dispatch(p.program('longShortAttentionBackward.stats', statsWgsl), [out, lse, dOut, dLse, valid, stats],
      { ...p.params, groups: rowsPerHead }, blocks(p.heads * p.n));
    context.dispatch(p.program('longShortAttentionBackward.dq', keyTilesWgsl, dqWgsl), [q, k, v, kBar, vBar, dOut, stats, dq.data.buffer],
      { ...p.params, groups: rowsPerHead }, p.heads * rowsPerHead);
    context.dispatch(p.program('longShortAttentionBackward.dkv', dkvWgsl, keyGradsWgsl), [q, k, v, dOut, stats, dk.data.buffer, dv.data.buffer],
      { ...p.params, groups: rowsPerHead }, p.heads * rowsPerHead);
    if (p.rp === 0) return;
    const partial = context.scratch(p.heads * p.chunks * p.rp * 2 * p.d * 4); // (B·H, chunks, r', 2, d)
    context.dispatch(p.program('longShortAttentionBackward.landmarks', landmarksWgsl, keyGradsWgsl), [q, kBar, vBar, dOut, stats, partial],
      { ...p.params, groups: landmarkGroups }, p.heads * landmarkGroups);
    context.dispatch(p.program('longShortAttentionBackward.landmarksReduce', landmarksReduceWgsl), [partial, dkBar.data.buffer, dvBar.data.buffer],
      { ...p.params, groups: 0 }, blocks(p.heads * p.rp * p.d));
  },
});
