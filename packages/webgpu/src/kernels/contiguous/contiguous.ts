// contiguous: a row-major copy of any strided view (the identity on the unary template). Every
// strided view a non-strided kernel receives is materialised by this kernel.
import type { NoAttrs } from '@longshort/tensor';
import { defineWebGPUKernel } from '../../kernel.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchElementwise, wgslHeader } from '../elementwise.js';
import unaryWgsl from '../unary/unary.wgsl';

export const contiguousKernel = defineWebGPUKernel<NoAttrs>('contiguous', {
  strided: true,
  run(context, [x], [y]) {
    const header = wgslHeader({ X: x.dtype, Y: y.dtype }, 'fn op(raw: X) -> Y {\n  return raw;\n}');
    dispatchElementwise(context, {
      label: 'contiguous',
      key: x.dtype,
      code: () => linkWgsl(header, snippets.index, unaryWgsl),
    }, ['x'], [x], y);
  },
});
