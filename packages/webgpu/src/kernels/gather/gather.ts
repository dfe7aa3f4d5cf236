// gather (torch.gather) and indexSelect (torch.index_select) on one WGSL: indexSelect's 1-D index
// is viewed broadcast to the output's shape. Both read strided x and index without copies; out-of-
// range index values are reported as the reference's ShapeError at the next read (index-check.ts).
import { sizeOf, type AttrsOf } from '@longshort/tensor';
import { defineWebGPUKernel, type GpuView, type KernelContext } from '../../kernel.js';
import { assertRank } from '../../layout.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchFlat, wgslHeader } from '../elementwise.js';
import gatherWgsl from './gather.wgsl';

/** y = x picked along `axis` at `indexStrides` over y's shape; `position` maps y positions to index positions. */
function dispatchGather(context: KernelContext, op: string, x: GpuView, index: GpuView, indexStrides: readonly number[], y: GpuView,
  axis: number, position?: (recorded: number) => number): void {
  const size = sizeOf(y.shape);
  if (size === 0) return;
  assertRank(y.shape.length, op);
  const check = context.indexCheck({ op, axis, shape: x.shape, position });
  dispatchFlat(context, {
    label: op,
    key: x.dtype,
    code: () => linkWgsl(wgslHeader({ X: x.dtype }, ''), snippets.index, gatherWgsl, snippets.indexCheck),
    constants: { RANK: y.shape.length },
  }, [x.data.buffer, index.data.buffer, y.data.buffer, check.buffer], {
    extent: x.shape[axis], offset_x: x.offset, offset_index: index.offset, axis_stride: x.strides[axis], check_id: check.id,
    shape: y.shape, strides_x: x.strides.map((s, i) => (i === axis ? 0 : s)), strides_index: indexStrides,
  }, size);
}

export const gatherKernel = defineWebGPUKernel<AttrsOf<'gather'>>('gather', {
  strided: true,
  run(context, [x, index], [y], { axis }) {
    dispatchGather(context, 'gather', x, index, index.strides, y, axis);
  },
});

export const indexSelectKernel = defineWebGPUKernel<AttrsOf<'indexSelect'>>('indexSelect', {
  strided: true,
  run(context, [x, index], [y], { axis }) {
    const inner = sizeOf(y.shape.slice(axis + 1));
    const indexStrides = y.shape.map((_, i) => (i === axis ? index.strides[0] : 0));
    dispatchGather(context, 'indexSelect', x, index, indexStrides, y, axis, (recorded) => Math.floor(recorded / inner) % y.shape[axis]);
  },
});
