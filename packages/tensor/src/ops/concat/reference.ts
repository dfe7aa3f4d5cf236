// CPU reference kernel of concat (contiguous inputs, any number of them): each output row (the
// elements before `axis` fixed) is the inputs' rows one after the other.
import type { CpuKernel } from '../../backends/cpu/cpu-kernel.js';
import { sizeOf } from '../../shape.js';
import type { AxisAttrs } from '../gather/reference.js';

export const concatReference: CpuKernel<AxisAttrs> = (inputs, [out], { axis }) => {
  const outer = sizeOf(out.shape.slice(0, axis));
  const rows = inputs.map((t) => sizeOf(t.shape.slice(axis))); // elements per row of each input
  const rowLength = rows.reduce((a, b) => a + b, 0);
  for (let o = 0; o < outer; o++) {
    let position = o * rowLength;
    inputs.forEach((t, k) => {
      const start = t.offset + o * rows[k];
      out.array.set(t.array.subarray(start, start + rows[k]), position);
      position += rows[k];
    });
  }
};
