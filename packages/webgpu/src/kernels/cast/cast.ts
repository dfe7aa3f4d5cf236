// cast: dtype conversion on the unary template. Float → i32 follows the reference's ToInt32
// (truncate; NaN and ±∞ → 0; wrap beyond ±2³¹), anything → bool is x ≠ 0 (NaN → true).
import type { AttrsOf } from '@longshort/tensor';
import { computeType } from '../../dtypes.js';
import { defineWebGPUKernel } from '../../kernel.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { dispatchElementwise, nonzero, wgslHeader } from '../elementwise.js';
import unaryWgsl from '../unary/unary.wgsl';

export const castKernel = defineWebGPUKernel<AttrsOf<'cast'>>('cast', {
  strided: true,
  run(context, [x], [y]) {
    const c = computeType(x.dtype);
    const value = y.dtype === 'bool' ? `select(0u, 1u, ${nonzero('x', c)})`
      : y.dtype === 'i32' && c === 'f32' ? 'f32_to_i32(x)'
        : 'Y(x)';
    const header = wgslHeader({ X: x.dtype, Y: y.dtype }, `fn op(raw: X) -> Y {\n  let x = ${c}(raw);\n  return ${value};\n}`);
    dispatchElementwise(context, {
      label: 'cast',
      key: `${x.dtype}>${y.dtype}`,
      code: () => linkWgsl(header, snippets.index, snippets.numerics, unaryWgsl),
    }, ['x'], [x], y);
  },
});
