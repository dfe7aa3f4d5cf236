// WebGPU kernels of the fused causal long-short core (spec B.5 steps 5–6; semantics as
// ../fused/causal-core.cpu.ts). The inputs are packed into one operand buffer (operands.ts); the
// forward is one invocation per query with an online softmax; the backward recomputes
// probabilities from the saved lse in six passes, each gradient summed in a fixed order by the
// invocation that owns its row (deterministic; no float atomics). Extra memory is O(M·d + N·d).
import type { CausalCoreAttrs } from '../fused/causal-core.js';
import { defineWebGPUKernel, linkWgsl, snippets, type GpuView, type KernelContext, type Program } from '@longshort/webgpu';
import biasReduceWgsl from './causal-bias-reduce.wgsl';
import commonWgsl from './causal-common.wgsl';
import compressedGradsWgsl from './causal-compressed-grads.wgsl';
import dqWgsl from './causal-dq.wgsl';
import forwardWgsl from './causal-forward.wgsl';
import rowsWgsl from './causal-rows.wgsl';
import rwinGradsWgsl from './causal-rwin-grads.wgsl';
import statsWgsl from './causal-stats.wgsl';
import windowGradsWgsl from './causal-window-grads.wgsl';
import { packOperands } from './operands.js';
import { constantsHeader, requireF32, requireGrids, workgroupSize } from './tiles.js';

/** The sizes of one call, the packed operands and the dispatch helper. */
interface Problem {
  readonly heads: number;
  readonly M: number;
  readonly W: number;
  readonly N: number;
  readonly d: number;
  readonly x: GPUBuffer;
  /** Dispatches one kernel (WGSL parts after the header and causal-common.wgsl) with one invocation per item. */
  readonly run: (label: string, parts: readonly string[], buffers: readonly GPUBuffer[], items: number) => void;
}

function problemOf(context: KernelContext, op: string, inputs: readonly GpuView[], { chunkSize: l, chunkRank: r, memoryChunks }: CausalCoreAttrs): Problem {
  const [q, , , , , rWin, kBar] = inputs;
  requireF32(op, q);
  const [B, H, M, d] = q.shape;
  const W = rWin.shape[1];
  const N = kBar.shape[2];
  const heads = B * H;
  // The largest of the passes' grids (one invocation per query, window row, compressed row or bias element).
  requireGrids(context, op, [Math.ceil((heads * Math.max(W + M, N, d)) / workgroupSize)]);
  const { buffer: x, sections } = packOperands(context, inputs, op);
  const header = constantsHeader(d);
  const params = { heads, H, M, W, N, l, r, cmem: memoryChunks, sections };
  const program = (label: string, parts: readonly string[]): Program => ({ label, key: `d${d}`, code: () => linkWgsl(header, snippets.index, commonWgsl, ...parts) });
  return {
    heads, M, W, N, d, x,
    run: (label, parts, buffers, items) => {
      if (items > 0) context.dispatch(program(label, parts), buffers, params, Math.ceil(items / workgroupSize));
    },
  };
}

/**
 * Forward: inputs q (B, H, M, d), u, v (H, d), kWin, vWin (B, H, W + M, d), rWin (H, W, d), kBar, vBar
 * (B, H, N, d), rChunk (H, N, d); outputs context (B, H, M, d) and lse (B, H, M).
 * @example const backend = await createWebGPUBackend({ kernels: [[causalLongShortAttentionWebGPU, causalLongShortAttentionBackwardWebGPU]] });
 */
export const causalLongShortAttentionWebGPU = defineWebGPUKernel<CausalCoreAttrs>('causalLongShortAttention', {
  run(context, inputs, [out, lse], attrs) {
    if (out.shape.includes(0)) return;
    const p = problemOf(context, 'causalLongShortAttention', inputs, attrs);
    p.run('causalLongShortAttention', [rowsWgsl, forwardWgsl], [p.x, out.data.buffer, lse.data.buffer], p.heads * p.M);
  },
});

/**
 * Backward: inputs as the forward's, then context, lse, dContext, dLse; outputs dq, du (B, H, d), dv (B, H, d),
 * dkWin, dvWin, drWin (B, H, W, d), dkBar, dvBar, drChunk (B, H, N, d) (as causalLongShortAttentionBackwardOp).
 * @example const backend = await createWebGPUBackend({ kernels: [[causalLongShortAttentionWebGPU, causalLongShortAttentionBackwardWebGPU]] });
 */
export const causalLongShortAttentionBackwardWebGPU = defineWebGPUKernel<CausalCoreAttrs>('causalLongShortAttentionBackward', {
  run(context, inputs, outputs, attrs) {
    if (inputs[0].shape.includes(0)) return;
    const p = problemOf(context, 'causalLongShortAttentionBackward', inputs, attrs);
    const [dq, du, dv, dkWin, dvWin, drWin, dkBar, dvBar, drChunk] = outputs.map((view) => view.data.buffer);
    const rows = p.heads * p.M;
    const stats = context.scratch(rows * 8); // (B·H, M) vec2: lse, D
    const bias = context.scratch(rows * 2 * p.d * 4); // (B·H, M, 2, d): each query's du and dv terms
    p.run('causalLongShortAttentionBackward.stats', [rowsWgsl, statsWgsl], [p.x, stats], rows);
    p.run('causalLongShortAttentionBackward.dq', [rowsWgsl, dqWgsl], [p.x, stats, dq, bias], rows);
    p.run('causalLongShortAttentionBackward.biasReduce', [biasReduceWgsl], [bias, du, dv], p.heads * p.d);
    p.run('causalLongShortAttentionBackward.windowGrads', [rowsWgsl, windowGradsWgsl], [p.x, stats, dkWin, dvWin], p.heads * (p.W + p.M));
    p.run('causalLongShortAttentionBackward.rWinGrads', [rowsWgsl, rwinGradsWgsl], [p.x, stats, drWin], p.heads * p.W);
    p.run('causalLongShortAttentionBackward.compressedGrads', [rowsWgsl, compressedGradsWgsl], [p.x, stats, dkBar, dvBar, drChunk], p.heads * p.N);
  },
});
