// The fast CPU matmul: f32 batched products with broadcast batch dimensions on the generated SIMD
// GEMM, split over threads by batch (or row / column chunks), or, for a few large products, by
// MC-row blocks sharing one packed B block. Every output element is summed in the same order
// whatever the split, so results do not depend on the thread count or on scheduling.
import type { MatmulAttrs } from '../../ops/matmul/matmul.js';
import { matmulReference } from '../../ops/matmul/matmul.js';
import { sizeOf } from '../../shape.js';
import { broadcastStrides, type CpuKernel, type CpuView } from '../cpu/cpu-kernel.js';
import { defaultGemmShape, gemmItemBytes } from './gemm.js';
import { withHeapPointers } from './operands.js';
import type { WasmRuntime } from './runtime.js';

/** Below this many flops a product runs on one thread (a dispatch costs tens of microseconds). */
const parallelFlops = 1 << 21;

/** Element offsets of each batch's matrix in `view` for the output batch shape (broadcast). */
function batchOffsets(view: CpuView, batchShape: readonly number[]): Float64Array {
  const rank = view.shape.length - 2;
  const strides = broadcastStrides({ ...view, shape: view.shape.slice(0, rank), strides: view.strides.slice(0, rank) }, batchShape);
  const offsets = new Float64Array(sizeOf(batchShape));
  const index = new Array<number>(batchShape.length).fill(0);
  let offset = view.offset;
  for (let batch = 0; batch < offsets.length; batch++) {
    offsets[batch] = offset;
    for (let axis = batchShape.length - 1; axis >= 0; axis--) {
      offset += strides[axis];
      if (++index[axis] < batchShape[axis]) break;
      offset -= strides[axis] * batchShape[axis];
      index[axis] = 0;
    }
  }
  return offsets;
}

/**
 * The matmul kernel of the fast CPU backend (f32; other dtypes use the reference kernel).
 * @example backend.registerKernel('matmul', wasmMatmul(runtime));
 */
export function wasmMatmul(rt: WasmRuntime): CpuKernel<MatmulAttrs> {
  return (inputs, outputs, attrs) => {
    const [a, b] = inputs;
    const [out] = outputs;
    if (a.dtype !== 'f32' || b.dtype !== 'f32') return matmulReference(inputs, outputs, attrs);
    const m = out.shape[out.shape.length - 2];
    const n = out.shape[out.shape.length - 1];
    const k = attrs.transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    if (sizeOf(out.shape) === 0) return;
    if (k === 0) {
      out.array.fill(0);
      return;
    }
    const scratch = rt.gemmScratchFor();
    if (scratch === null) return matmulReference(inputs, outputs, attrs);
    const batchShape = out.shape.slice(0, -2);
    const batches = sizeOf(batchShape);
    const [rsA, csA] = attrs.transposeA ? [1, m] : [k, 1];
    const [rsB, csB] = attrs.transposeB ? [1, k] : [n, 1];
    const threads = 2 * batches * m * n * k < parallelFlops ? 1 : rt.pool.threads;
    const shape = defaultGemmShape;
    const rowBlocks = Math.ceil(m / shape.mc);
    const run = (name: string, count: number, args: readonly number[]) => rt.pool.run(rt.kernels, name, count, args, threads);
    if (threads > 1 && batches < 2 * threads && rowBlocks >= 2 * threads) {
      // Few large products: per K×N block, the threads pack B together, then share out MC-row blocks.
      const done = withHeapPointers(rt, [a, b], [out], ([aBase, bBase], [cBase]) => {
        const aOffsets = batchOffsets(a, batchShape);
        const bOffsets = batchOffsets(b, batchShape);
        for (let batch = 0; batch < batches; batch++) {
          const [aPtr, bPtr, cPtr] = [aBase + aOffsets[batch] * 4, bBase + bOffsets[batch] * 4, cBase + batch * m * n * 4];
          for (let jc = 0; jc < n; jc += shape.nc) {
            const nc = Math.min(shape.nc, n - jc);
            for (let pc = 0; pc < k; pc += shape.kc) {
              const kc = Math.min(shape.kc, k - pc);
              run('gemm_pack_b_panels', Math.ceil(nc / shape.nr), [bPtr + (pc * rsB + jc * csB) * 4, rsB, csB, kc, nc, scratch.sharedB]);
              run('gemm_row_blocks', rowBlocks, [aPtr + pc * csA * 4, cPtr + jc * 4, m, rsA, csA, kc, nc, n, scratch.sharedB, pc === 0 ? 1 : 0, scratch.base, scratch.stride]);
            }
          }
        }
      });
      if (!done) matmulReference(inputs, outputs, attrs);
      return;
    }
    // Otherwise whole products, or row (column) chunks of them when there are fewer than 2 per thread.
    const chunks = threads === 1 ? 1 : Math.ceil((2 * threads) / batches);
    const splitRows = m >= n;
    const extent = splitRows ? m : n;
    const granule = splitRows ? shape.mr : shape.nr;
    const chunk = Math.ceil(extent / chunks / granule) * granule;
    const fields = gemmItemBytes / 4;
    const count = batches * Math.ceil(extent / chunk);
    const table = rt.heap.alloc(count * gemmItemBytes);
    if (table === null) return matmulReference(inputs, outputs, attrs);
    const done = withHeapPointers(rt, [a, b], [out], ([aBase, bBase], [cBase]) => {
      // Batch offsets count from element 0 of each storage, as view offsets do.
      const aOffsets = batchOffsets(a, batchShape);
      const bOffsets = batchOffsets(b, batchShape);
      const items = rt.heap.i32;
      let at = table / 4;
      for (let batch = 0; batch < batches; batch++) {
        const [aPtr, bPtr, cPtr] = [aBase + aOffsets[batch] * 4, bBase + bOffsets[batch] * 4, cBase + batch * m * n * 4];
        for (let start = 0; start < extent; start += chunk, at += fields) {
          const size = Math.min(chunk, extent - start);
          if (splitRows) items.set([aPtr + start * rsA * 4, bPtr, cPtr + start * n * 4, size, n], at);
          else items.set([aPtr, bPtr + start * csB * 4, cPtr + start * 4, m, size], at);
        }
      }
      run('gemm_items', count, [table, k, rsA, csA, rsB, csB, n, scratch.base, scratch.stride]);
    });
    rt.heap.free(table, count * gemmItemBytes);
    if (!done) matmulReference(inputs, outputs, attrs);
  };
}
