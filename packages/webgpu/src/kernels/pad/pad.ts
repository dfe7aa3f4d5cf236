// pad: constant padding of a strided input (negative amounts are rejected by the front end).
import { sizeOf, type AttrsOf } from '@longshort/tensor';
import { computeType } from '../../dtypes.js';
import { defineWebGPUKernel } from '../../kernel.js';
import { assertRank } from '../../layout.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchFlat, wgslHeader } from '../elementwise.js';
import padWgsl from './pad.wgsl';

export const padKernel = defineWebGPUKernel<AttrsOf<'pad'>>('pad', {
  strided: true,
  run(context, [x], [y], { pads, value }) {
    const size = sizeOf(y.shape);
    if (size === 0) return;
    assertRank(y.shape.length, 'pad');
    const c = computeType(y.dtype);
    const header = wgslHeader({ X: x.dtype, Y: y.dtype }, `alias C = ${c};`);
    // NOTE: the reference stores `value` through the output's typed array: ToInt32 for i32, ToUint8 for bool.
    const packed = y.dtype === 'i32' ? value | 0 : y.dtype === 'bool' ? (value | 0) & 0xff : value;
    dispatchFlat(context, {
      label: 'pad',
      key: `${x.dtype}>${y.dtype}`,
      code: () => linkWgsl(header, snippets.index, padWgsl),
      constants: { RANK: y.shape.length },
    }, [x.data.buffer, y.data.buffer], {
      offset_x: x.offset, value: packed, shape: y.shape, input_shape: x.shape, before: pads.map((p) => p[0]), strides_x: x.strides,
    }, size);
  },
});
