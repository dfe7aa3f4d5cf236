// The fused softmax (the composite of @longshort/tensor ops/softmax): one pass per row of max,
// sum of exponentials and quotients (softmax.wgsl), over any axis of a contiguous input, f32 or f16
// storage with f32 arithmetic. Rows are reduced as in row-reduction.wgsl.
import { sizeOf } from '@longshort/tensor';
import { defineWebGPUKernel } from '../../kernel.js';
import { wgslHeader } from '../elementwise.js';
import { dispatchRows, rowKernelWgsl } from '../row-reduction/row-reduction.js';
import softmaxWgsl from './softmax.wgsl';

/** The softmax composite's attributes (a normalised axis). */
export interface SoftmaxAttrs {
  readonly axis: number;
}

/** softmax along `axis`: rows of shape[axis] elements, shape[axis+1..] apart. */
export const softmaxKernel = defineWebGPUKernel<SoftmaxAttrs>('softmax', {
  run(context, [x], [y], { axis }) {
    const length = x.shape[axis];
    const inner = sizeOf(x.shape.slice(axis + 1));
    const rows = length === 0 ? 0 : sizeOf(x.shape) / length;
    dispatchRows(context, {
      label: 'softmax',
      key: x.dtype,
      code: () => rowKernelWgsl(wgslHeader({ X: x.dtype }, ''), softmaxWgsl),
    }, [x.data.buffer, y.data.buffer], { rows, length, inner, offset_x: x.offset }, rows, length);
  },
});
