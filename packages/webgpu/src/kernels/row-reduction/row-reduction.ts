// Dispatch of the row kernels (softmax, layerNorm): `rows` rows of `length` elements, each reduced
// by LANES invocations (row-reduction.wgsl), as many as the sum/max kernels give one output.
import type { KernelContext } from '../../kernel.js';
import type { ParamsValues } from '../../params.js';
import type { Program } from '../../pipelines.js';
import { linkWgsl, snippets } from '../../wgsl/link.js';
import { lanesFor } from '../reduce/reduce.js';
import rowReductionWgsl from './row-reduction.wgsl';

/** Workgroup size of the row kernels (the WGSL default of WORKGROUP_SIZE). */
const workgroupSize = 256;

/** The module of a row kernel: `header` (dtype aliases), the shared snippets, then `kernel`. */
export function rowKernelWgsl(header: string, kernel: string): string {
  return linkWgsl(header, snippets.index, snippets.numerics, rowReductionWgsl, kernel);
}

/**
 * Dispatches `program` over `rows` rows of `length` elements (LANES is set from `length`, so the
 * pipeline varies only with that power of two); nothing when there are no rows.
 * @example dispatchRows(context, program, buffers, { rows, length }, rows, length)
 */
export function dispatchRows(context: KernelContext, program: Program, buffers: readonly GPUBuffer[], params: ParamsValues,
  rows: number, length: number): void {
  if (rows === 0 || length === 0) return;
  const lanes = lanesFor(length);
  context.dispatch({ ...program, constants: { ...program.constants, LANES: lanes } }, buffers, params, Math.ceil(rows / (workgroupSize / lanes)));
}
