// CPU reference kernel of scatterAdd (contiguous inputs): out = x, then out[…index…] += src, summed
// in float64. Index values outside [0, x.shape[axis]) throw ShapeError (see gather/reference.ts).
import type { CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { forEachStrided } from '../../backends/cpu/cpu-kernel.js';
import { contiguousStrides, sizeOf } from '../../shape.js';
import { assertIndexInRange, stridesWithoutAxis, type AxisAttrs } from '../gather/reference.js';

export const scatterAddReference: CpuKernel<AxisAttrs> = ([x, index, src], [out], { axis }) => {
  const acc = Float64Array.from(x.array.subarray(x.offset, x.offset + sizeOf(x.shape)));
  const { strides, axisStride } = stridesWithoutAxis(x.shape, axis);
  const [idx, values] = [index.array, src.array];
  // NOTE: src may be larger than index; only its leading index.shape box is read.
  forEachStrided(index.shape, [{ strides, offset: 0 }, { strides: contiguousStrides(src.shape), offset: src.offset }], (i, [o, s]) => {
    const v = idx[index.offset + i];
    assertIndexInRange('scatterAdd', v, x.shape, axis, i);
    acc[o + v * axisStride] += values[s];
  });
  out.array.set(acc);
};
