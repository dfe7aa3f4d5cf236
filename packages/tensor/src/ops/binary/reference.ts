// CPU reference kernel of the binary elementwise ops: NumPy broadcasting through 0 strides.
import { broadcastStrides, forEachStrided, type CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import type { NoAttrs } from '../define-op.js';
import { binaryFunctions, type BinaryOpName } from './binary-functions.js';

export function binaryReference(name: BinaryOpName): CpuKernel<NoAttrs> {
  const f = binaryFunctions[name];
  return ([a, b], [out]) => {
    const x = a.array;
    const y = b.array;
    const dst = out.array;
    const inputs = [
      { strides: broadcastStrides(a, out.shape), offset: a.offset },
      { strides: broadcastStrides(b, out.shape), offset: b.offset },
    ];
    forEachStrided(out.shape, inputs, (i, [oa, ob]) => {
      dst[i] = f(x[oa], y[ob]);
    });
  };
}
