// matvec: the matmul path for M = 1 or N = 1 (a row vector times a matrix — every projection of
// incremental decoding — or a matrix times a column), where the 32×32 tiles of the tiled kernel
// would leave most invocations idle. One kernel for both: y = w · x per batch item, x being the
// vector operand and w the matrix one, read through strides (transposes and broadcasts as views).
import type { KernelContext, GpuView } from '../../kernel.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import matvecWgsl from './matvec.wgsl';
import { matmulHeader, vec4Applies } from './variants.js';

/** Invocations per workgroup (the WGSL default of WORKGROUP_SIZE). */
const workgroupSize = 256;

/** One side of the product: a strided operand and its batch strides (coalesced with the output's batch shape). */
export interface MatvecOperand {
  readonly view: GpuView;
  readonly batchStrides: readonly number[];
}

/**
 * Dispatches y[b, j] = Σ_k x[b, k] · w[b, j, k] for every batch item b: `x` steps by `xStep`
 * along K, `w` by `wOut` along the `length` outputs and by `wK` along K; `y` is contiguous
 * (batch, length). Nothing is dispatched for an empty output.
 * @example dispatchMatvec(context, { x: { view: a, batchStrides }, w: { view: b, batchStrides }, y, ... })
 */
export function dispatchMatvec(context: KernelContext, { x, w, y, xStep, wOut, wK, length, k, batchShape, batches }: {
  readonly x: MatvecOperand; readonly w: MatvecOperand; readonly y: GpuView;
  readonly xStep: number; readonly wOut: number; readonly wK: number;
  readonly length: number; readonly k: number; readonly batchShape: readonly number[]; readonly batches: number;
}): void {
  if (length === 0 || batches === 0) return;
  // Lanes along K contiguous in w (or a single output) are adjacent invocations; lanes per block are
  // a power of two up to 64 there (4 blocks of 4 outputs), up to 16 otherwise (64 outputs).
  const kFast = wK === 1 || length === 1;
  const lanes = Math.min(kFast ? 64 : 16, 2 ** Math.ceil(Math.log2(Math.max(k, 1))));
  const vec4 = vec4Applies({ b: w.view.dtype, y: y.dtype, length, k, outStride: wOut, kStride: wK, offset: w.view.offset, batchStrides: w.batchStrides });
  const program = {
    label: 'matvec',
    key: `${x.view.dtype},${w.view.dtype}>${y.dtype}|${vec4 ? 'vec4' : 'scalar'}`,
    code: () => linkWgsl(matmulHeader({ A: x.view.dtype, B: w.view.dtype, Y: y.dtype }, vec4), snippets.index, matvecWgsl),
    constants: { BATCH_RANK: batchShape.length, LANES: lanes, K_FAST: kFast ? 1 : 0 },
  };
  const blocks = Math.ceil(length / (4 * (workgroupSize / lanes)));
  context.dispatch(program, [x.view.data.buffer, w.view.data.buffer, y.data.buffer], {
    length, k, blocks, batches, offset_a: x.view.offset, offset_b: w.view.offset, x_step: xStep, w_out: wOut, w_k: wK,
    batch_shape: batchShape, a_batch_strides: x.batchStrides, b_batch_strides: w.batchStrides,
  }, blocks * batches);
}
