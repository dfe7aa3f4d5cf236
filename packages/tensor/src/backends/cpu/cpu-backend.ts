// The CPU reference backend: plain TypeScript kernels over host typed arrays. It is the oracle
// every other backend is tested against, and always available.
import type { Backend, BackendMemoryInfo, DataId, TensorView } from '../../backend/spec.js';
import { arrayFor, type AnyTypedArray, type DType } from '../../dtype.js';
import { KernelNotFoundError } from '../../errors/index.js';
import type { CpuData, CpuKernel, CpuKernelEntry } from './cpu-kernel.js';
import { cpuKernels } from './manifest.js';

export interface CpuBackend extends Backend {
  /** Registers a kernel for an op (the extension contract used by other packages). */
  registerKernel<A extends object>(op: string, kernel: CpuKernel<A>, options?: { strided?: boolean }): void;
}

export interface CpuBackendOptions {
  /** A name for the backend (default 'cpu'). */
  name?: string;
}

export function createCpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  const kernels = new Map<string, CpuKernelEntry>(Object.entries(cpuKernels) as [string, CpuKernelEntry][]);
  const name = options.name ?? 'cpu';
  const toView = (v: TensorView) => ({ ...v, array: (v.data as CpuData).array });
  return {
    specificationVersion: 'v1',
    name,
    capabilities: { dtypes: ['f32', 'f64', 'i32', 'bool'], syncRead: true, info: { kind: 'reference', threads: 1 } },
    alloc(dtype: DType, size: number): DataId {
      return { array: arrayFor(dtype, size) } satisfies CpuData;
    },
    free() {},
    write(data: DataId, values: AnyTypedArray, offset = 0) {
      (data as CpuData).array.set(values, offset);
    },
    async read(data, _dtype, offset, size) {
      return (data as CpuData).array.slice(offset, offset + size);
    },
    readSync(data, _dtype, offset, size) {
      return (data as CpuData).array.slice(offset, offset + size);
    },
    run(op, inputs, outputs, attrs) {
      const entry = kernels.get(op);
      if (!entry) throw new KernelNotFoundError(op, name, []);
      entry.kernel(inputs.map(toView), outputs.map(toView), attrs);
    },
    hasKernel: (op) => kernels.has(op),
    acceptsStrided: (op) => kernels.get(op)?.strided ?? false,
    async sync() {},
    memoryInfo(): BackendMemoryInfo {
      return { heldBytes: 0 };
    },
    dispose() {
      kernels.clear();
    },
    registerKernel(op, kernel, kernelOptions) {
      kernels.set(op, { kernel: kernel as CpuKernel, strided: kernelOptions?.strided });
    },
  };
}
