// argmax along one axis (i32 indices; the first maximum wins, NaN counts as the maximum).
import type { AttrsOf } from '@longshort/tensor';
import { computeType } from '../../dtypes.js';
import { defineWebGPUKernel } from '../../kernel.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { wgslHeader } from '../elementwise.js';
import { dispatchReduction, reductionLayout } from '../reduce/reduce.js';
import reductionWgsl from '../reduce/reduction.wgsl';
import argmaxWgsl from './argmax.wgsl';

export const argmaxKernel = defineWebGPUKernel<AttrsOf<'argmax'>>('argmax', {
  strided: true,
  run(context, [x], [y], { axis }) {
    const header = wgslHeader({ X: x.dtype }, `alias C = ${computeType(x.dtype)};`);
    dispatchReduction(context, {
      label: 'argmax',
      key: x.dtype,
      code: () => linkWgsl(header, snippets.index, snippets.numerics, reductionWgsl, argmaxWgsl),
    }, reductionLayout(x, [axis], 'argmax'), [x.data.buffer, y.data.buffer]);
  },
});
