// scatterAdd (torch.scatter_add): y = contiguous copy of x, then src added at the index positions
// with atomics (so the order of colliding adds, and the rounding of f32 sums, is unspecified; the
// reference sums in f64). Out-of-range index values are reported as the reference's ShapeError.
import { DTypeError, sizeOf, type AttrsOf } from '@longshort/tensor';
import { defineWebGPUKernel } from '../../kernel.js';
import { assertRank } from '../../layout.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchElementwise, dispatchFlat, wgslHeader } from '../elementwise.js';
import unaryWgsl from '../unary/unary.wgsl';
import scatterAddWgsl from './scatter-add.wgsl';

const integerAdd = `@group(0) @binding(2) var<storage, read_write> y: array<atomic<i32>>;
fn add_at(at: u32, value: X) {
  atomicAdd(&y[at], value);
}`;

const floatAdd = `@group(0) @binding(2) var<storage, read_write> y: array<atomic<u32>>;
fn add_at(at: u32, value: X) {
  var old = atomicLoad(&y[at]);
  loop {
    let swapped = atomicCompareExchangeWeak(&y[at], old, bitcast<u32>(bitcast<f32>(old) + value));
    if (swapped.exchanged) {
      break;
    }
    old = swapped.old_value;
  }
}`;

export const scatterAddKernel = defineWebGPUKernel<AttrsOf<'scatterAdd'>>('scatterAdd', {
  strided: true,
  run(context, [x, index, src], [y], { axis }) {
    if (x.dtype !== 'f32' && x.dtype !== 'i32') throw new DTypeError('DTYPE_UNSUPPORTED', 'scatterAdd', 'x', 'f32 | i32 (32-bit atomics)', x.dtype, 'webgpu');
    dispatchElementwise(context, {
      label: 'scatterAdd',
      key: `copy|${x.dtype}`,
      code: () => linkWgsl(wgslHeader({ X: x.dtype, Y: y.dtype }, 'fn op(raw: X) -> Y {\n  return raw;\n}'), snippets.index, unaryWgsl),
    }, ['x'], [x], y);
    const size = sizeOf(index.shape);
    if (size === 0) return;
    assertRank(index.shape.length, 'scatterAdd');
    const yStrides = y.shape.map((_, i) => (i === axis ? 0 : sizeOf(y.shape.slice(i + 1))));
    const check = context.indexCheck({ op: 'scatterAdd', axis, shape: x.shape });
    dispatchFlat(context, {
      label: 'scatterAdd',
      key: x.dtype,
      code: () => linkWgsl(wgslHeader({ X: x.dtype }, x.dtype === 'i32' ? integerAdd : floatAdd), snippets.index, scatterAddWgsl, snippets.indexCheck),
      constants: { RANK: index.shape.length },
    }, [index.data.buffer, src.data.buffer, y.data.buffer, check.buffer], {
      extent: x.shape[axis], offset_index: index.offset, offset_src: src.offset, axis_stride: sizeOf(y.shape.slice(axis + 1)), check_id: check.id,
      shape: index.shape, strides_y: yStrides, strides_index: index.strides, strides_src: src.strides,
    }, size);
  },
});
