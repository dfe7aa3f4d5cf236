// One operand buffer for all the inputs of a fused op (spec B.5 steps 5–6 take nine, the backward
// thirteen; a device may bind only 8 storage buffers per shader stage): the inputs are copied,
// in order, into scratch, and kernels address them by section offsets in Params. Extra memory is
// the inputs' size, O(n·d).
import { sizeOf } from '@longshort/tensor';
import { linkWgsl, snippets, type GpuView, type KernelContext } from '@longshort/webgpu';
import operandsWgsl from './operands.wgsl';
import { requireGrids } from './tiles.js';

const copyWorkgroupSize = 256;

const program = { label: 'packOperands', key: 'f32', code: () => linkWgsl(snippets.index, operandsWgsl) };

/**
 * Copies the f32 `inputs` of `op` into one scratch buffer; returns it and each input's first element in it.
 * @example const { buffer, sections } = packOperands(context, inputs, 'causalLongShortAttention'); // sections[i]: where input i starts
 */
export function packOperands(context: KernelContext, inputs: readonly GpuView[], op: string): { buffer: GPUBuffer; sections: number[] } {
  const sizes = inputs.map((view) => sizeOf(view.shape));
  requireGrids(context, op, sizes.map((size) => Math.ceil(size / copyWorkgroupSize)));
  const sections: number[] = [];
  let total = 0;
  for (const size of sizes) {
    sections.push(total);
    total += size;
  }
  const buffer = context.scratch(Math.max(total, 1) * 4);
  inputs.forEach((view, i) => {
    if (sizes[i] === 0) return;
    context.dispatch(program, [view.data.buffer, buffer], { count: sizes[i], src_offset: view.offset, dst_offset: sections[i] }, Math.ceil(sizes[i] / copyWorkgroupSize));
  });
  return { buffer, sections };
}
