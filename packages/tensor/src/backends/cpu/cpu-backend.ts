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

/** The validated threads for the wasm kernels, or null for the reference kernels. */
function wasmThreadsFor(options: CpuBackendOptions): number | null {
  const { kernels = 'wasm', threads = availableCores() } = options;
  if (kernels !== 'wasm' && kernels !== 'reference') throw new ConfigError('createCpuBackend', 'kernels', "'wasm' | 'reference'", String(kernels));
  if (!Number.isInteger(threads) || threads < 1) throw new ConfigError('createCpuBackend', 'threads', 'an integer >= 1', String(threads));
  return kernels === 'reference' ? null : threads;
}

/** The wasm runtime for `options`, or null for the reference kernels (or when WebAssembly SIMD fails to load). */
function wasmRuntimeFor(options: CpuBackendOptions): WasmRuntime | null {
  const threads = wasmThreadsFor(options);
  if (threads === null) return null;
  try {
    return new WasmRuntime({ threads });
  } catch {
    return null;
  }
}

/**
 * Creates the CPU backend. Its wasm module compiles synchronously and, in browsers, its worker
 * threads start in the background (kernels run on one thread until they are up): use
 * `createCpuBackendAsync` on a page to get a backend whose threads are all running.
 * @example setBackend(createCpuBackend({ threads: 4 }));
 */
export function createCpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  return cpuBackendOn(wasmRuntimeFor(options), options);
}

/**
 * Creates the CPU backend the browser way: the wasm module compiles asynchronously (browsers may
 * refuse a synchronous compile on the main thread) and it resolves once every worker thread is
 * running. Where threads are unavailable (a page without cross-origin isolation) it runs on one
 * thread and `capabilities.info.note` says why. Works in Node too.
 * @example setBackend(await createCpuBackendAsync());
 */
export async function createCpuBackendAsync(options: CpuBackendOptions = {}): Promise<CpuBackend> {
  const threads = wasmThreadsFor(options);
  let runtime: WasmRuntime | null = null;
  if (threads !== null) {
    try {
      runtime = await WasmRuntime.create({ threads });
    } catch {
      runtime = null;
    }
  }
  return cpuBackendOn(runtime, options);
}

/** `capabilities.info` of a wasm backend: its threads and, where it runs on one thread for want of more, why. */
function wasmInfo(runtime: WasmRuntime): Record<string, unknown> {
  const info = { kind: 'wasm-simd', threads: runtime.threads, sharedMemory: runtime.shared };
  return runtime.note === null ? info : { ...info, note: runtime.note };
}

function cpuBackendOn(runtime: WasmRuntime | null, options: CpuBackendOptions): CpuBackend {
  const kernels = new Map<string, CpuKernelEntry>(Object.entries(cpuKernels) as [string, CpuKernelEntry][]);
  if (runtime) for (const [op, entry] of Object.entries(wasmKernels(runtime))) kernels.set(op, entry);
  const name = options.name ?? 'cpu';
  const toView = (v: TensorView) => ({ ...v, array: (v.data as CpuData).array });
  return {
    specificationVersion: 'v1',
    name,
    capabilities: { dtypes: ['f32', 'f64', 'i32', 'bool'], syncRead: true, info: runtime ? wasmInfo(runtime) : { kind: 'reference', threads: 1 } },
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
