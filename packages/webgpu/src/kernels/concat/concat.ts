// concat (torch.cat): each input (strided, any number of them) is copied into its block of the
// output by one dispatch; axes are merged where the input and its output block allow.
import { sizeOf, type AttrsOf } from '@longshort/tensor';
import { defineWebGPUKernel } from '../../kernel.js';
import { assertRank, coalesce } from '../../layout.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchFlat, wgslHeader } from '../elementwise.js';
import concatWgsl from './concat.wgsl';

export const concatKernel = defineWebGPUKernel<AttrsOf<'concat'>>('concat', {
  strided: true,
  run(context, inputs, [y], { axis }) {
    const outStrides = y.shape.map((_, i) => sizeOf(y.shape.slice(i + 1)));
    let start = 0;
    for (const x of inputs) {
      const size = sizeOf(x.shape);
      const offset = start * (outStrides[axis] ?? 0);
      start += x.shape[axis] ?? 0;
      if (size === 0) continue;
      const merged = coalesce(x.shape, [x.strides, outStrides]);
      assertRank(merged.shape.length, 'concat');
      dispatchFlat(context, {
        label: 'concat',
        key: x.dtype,
        code: () => linkWgsl(wgslHeader({ X: x.dtype }, ''), snippets.index, concatWgsl),
        constants: { RANK: merged.shape.length },
      }, [x.data.buffer, y.data.buffer], {
        offset_x: x.offset, offset_y: offset, shape: merged.shape, strides_x: merged.strides[0], strides_y: merged.strides[1],
      }, size);
    }
  },
});
