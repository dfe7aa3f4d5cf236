// The CPU fallback of ops a kernel table marks 'cpu-fallback': a host task on the timeline reads
// the inputs back, runs the CPU reference kernel of @longshort/tensor, and writes the outputs. It
// is slow (a round trip per op) and counted in stats().fallbacks, so a run that hits it shows.
import { DTypeError, sizeOf, type AnyTypedArray, type Backend, type CpuData, type TensorView } from '@longshort/tensor';
import { fromGpuBytes, gpuByteLength, toGpuArray, type GpuDType } from './dtypes.js';
import type { GpuView } from './kernel.js';
import type { Scheduler } from './scheduler.js';

function hostArray(dtype: GpuDType, size: number): AnyTypedArray {
  switch (dtype) {
    case 'f32': return new Float32Array(size);
    case 'i32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
    case 'f16': return new Uint16Array(size);
  }
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let i = shape.length - 1, s = 1; i >= 0; s *= shape[i], i--) strides[i] = s;
  return strides;
}

/** `view` as the CPU kernel of `op` takes it: as is, or copied row-major where it wants that. */
function hostView(cpu: Backend, op: string, view: TensorView & { data: CpuData }): TensorView & { data: CpuData } {
  const strides = rowMajorStrides(view.shape);
  const contiguous = view.shape.every((d, i) => d === 1 || strides[i] === view.strides[i]);
  if (contiguous || cpu.acceptsStrided?.(op)) return view;
  const copy = { ...view, data: { array: hostArray(view.dtype as GpuDType, sizeOf(view.shape)) }, strides, offset: 0 };
  cpu.run('contiguous', [view], [copy], {});
  return copy;
}

/** Queues `op` to run on `cpu` with the data of `inputs`, writing `outputs` back to the GPU. */
export function runOnCpu(device: GPUDevice, scheduler: Scheduler, cpu: Backend, op: string,
  inputs: readonly GpuView[], outputs: readonly GpuView[], attrs: object, backendName: string): void {
  for (const view of [...inputs, ...outputs]) {
    // NOTE: the CPU reference has no f16 arithmetic (it holds raw half bits), so it cannot stand in.
    if (view.dtype === 'f16') throw new DTypeError('DTYPE_UNSUPPORTED', op, 'inputs', 'f32 | i32 | bool for a CPU fallback', 'f16', backendName);
  }
  scheduler.enqueueHost(op, async () => {
    const cpuInputs = await Promise.all(inputs.map(async (view) => {
      const bytes = gpuByteLength(view.dtype, view.data.size);
      const array = bytes === 0 ? hostArray(view.dtype, 0) : fromGpuBytes(view.dtype, await scheduler.readSubmitted(view.data.buffer, 0, bytes), view.data.size);
      return hostView(cpu, op, { ...view, data: { array } satisfies CpuData });
    }));
    const cpuOutputs = outputs.map((view) => ({ ...view, data: { array: hostArray(view.dtype, view.data.size) } satisfies CpuData }));
    cpu.run(op, cpuInputs, cpuOutputs, attrs);
    cpuOutputs.forEach((view, i) => {
      if (view.data.array.length > 0) device.queue.writeBuffer(outputs[i].data.buffer, 0, toGpuArray(view.dtype, view.data.array));
    });
  });
}
