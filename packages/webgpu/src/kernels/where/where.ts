// where(cond, a, b) with three-way broadcasting; a and b are converted to the output dtype.
import type { NoAttrs } from '@longshort/tensor';
import { defineWebGPUKernel } from '../../kernel.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchElementwise, wgslHeader } from '../elementwise.js';
import whereWgsl from './where.wgsl';

export const whereKernel = defineWebGPUKernel<NoAttrs>('where', {
  strided: true,
  run(context, [c, a, b], [y]) {
    const header = wgslHeader({ A: a.dtype, B: b.dtype, Y: y.dtype },
      'fn pick(c: u32, a_raw: A, b_raw: B) -> Y {\n  return select(Y(b_raw), Y(a_raw), c != 0u);\n}');
    dispatchElementwise(context, {
      label: 'where',
      key: `${a.dtype},${b.dtype}>${y.dtype}`,
      code: () => linkWgsl(header, snippets.index, whereWgsl),
    }, ['c', 'a', 'b'], [c, a, b], y);
  },
});
