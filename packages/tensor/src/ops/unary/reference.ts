// CPU reference kernel of the unary elementwise ops (strided input, contiguous output).
import type { CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { forEachStrided } from '../../backends/cpu/cpu-kernel.js';
import type { NoAttrs } from '../define-op.js';
import { unaryFunctions, type UnaryOpName } from './unary-functions.js';

export function unaryReference(name: UnaryOpName): CpuKernel<NoAttrs> {
  const f = unaryFunctions[name];
  return ([x], [out]) => {
    const src = x.array;
    const dst = out.array;
    forEachStrided(out.shape, [x], (i, [o]) => {
      dst[i] = f(src[o]);
    });
  };
}
