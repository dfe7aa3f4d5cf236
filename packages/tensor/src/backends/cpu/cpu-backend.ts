// The CPU backend. By default its f32 hot paths run WebAssembly SIMD kernels on a thread pool over
// tensors stored in WebAssembly memory (../wasm); with `kernels: 'reference'` it is the plain
// TypeScript reference over host typed arrays: the oracle every other backend is tested against.
import type { Backend, BackendMemoryInfo, DataId, TensorView } from '../../backend/spec.js';
import { arrayFor, type AnyTypedArray, type DType } from '../../dtype.js';
import { ConfigError, KernelNotFoundError } from '../../errors/index.js';
import type { CpuData, CpuKernel, CpuKernelEntry } from './cpu-kernel.js';
import { cpuKernels } from './manifest.js';
import { wasmKernels } from '../wasm/kernels.js';
import { availableCores } from '../wasm/pool.js';
import { WasmRuntime, type CpuWasm } from '../wasm/runtime.js';

export interface CpuBackend extends Backend {
  /** Registers a kernel for an op (the extension contract used by other packages). */
  registerKernel<A extends object>(op: string, kernel: CpuKernel<A>, options?: { strided?: boolean }): void;
  /** The WebAssembly memory, kernels and thread pool (`kernels: 'wasm'`), for fused kernels of other packages; else null. */
  readonly wasm: CpuWasm | null;
}

export interface CpuBackendOptions {
  /** A name for the backend (default 'cpu'). */
  name?: string;
  /**
   * 'wasm' (default): WebAssembly SIMD kernels where they exist, tensors in WebAssembly memory;
   * 'reference': only the plain TypeScript kernels (float64 accumulation), tensors in host arrays.
   * Falls back to 'reference' where WebAssembly SIMD is unavailable.
   */
  kernels?: 'wasm' | 'reference';
  /** Threads the wasm kernels may use, the calling one included (default: the available cores). */
  threads?: number;
}

/** The wasm runtime for `options`, or null for the reference kernels (or when WebAssembly SIMD fails to load). */
function wasmRuntimeFor(options: CpuBackendOptions): WasmRuntime | null {
  const { kernels = 'wasm', threads = availableCores() } = options;
  if (kernels !== 'wasm' && kernels !== 'reference') throw new ConfigError('createCpuBackend', 'kernels', "'wasm' | 'reference'", String(kernels));
  if (!Number.isInteger(threads) || threads < 1) throw new ConfigError('createCpuBackend', 'threads', 'an integer >= 1', String(threads));
  if (kernels === 'reference') return null;
  try {
    return new WasmRuntime({ threads });
  } catch {
    return null;
  }
}

export function createCpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  const kernels = new Map<string, CpuKernelEntry>(Object.entries(cpuKernels) as [string, CpuKernelEntry][]);
  const runtime = wasmRuntimeFor(options);
  if (runtime) for (const [op, entry] of Object.entries(wasmKernels(runtime))) kernels.set(op, entry);
  const name = options.name ?? 'cpu';
  const toView = (v: TensorView) => ({ ...v, array: (v.data as CpuData).array });
  return {
    specificationVersion: 'v1',
    name,
    capabilities: { dtypes: ['f32', 'f64', 'i32', 'bool'], syncRead: true, info: runtime ? { kind: 'wasm-simd', threads: runtime.threads, sharedMemory: runtime.shared } : { kind: 'reference', threads: 1 } },
    wasm: runtime,
    alloc(dtype: DType, size: number): DataId {
      return runtime ? runtime.alloc(dtype, size) : { array: arrayFor(dtype, size) } satisfies CpuData;
    },
    free(data) {
      runtime?.free(data as CpuData);
    },
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
      return runtime ? { ...runtime.memoryInfo() } : { heldBytes: 0 };
    },
    dispose() {
      kernels.clear();
      runtime?.dispose();
    },
    registerKernel(op, kernel, kernelOptions) {
      kernels.set(op, { kernel: kernel as CpuKernel, strided: kernelOptions?.strided });
    },
  };
}
