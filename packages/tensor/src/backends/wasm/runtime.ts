// The WebAssembly runtime behind the fast CPU backend: one memory (shared where SharedArrayBuffer
// exists) holding every tensor of the backend, the generated kernel module, the heap and the
// thread pool. Kernels receive pointers into the memory; data from elsewhere is copied in.
import { arrayFor, bytesPerElement, type DType } from '../../dtype.js';
import type { CpuData } from '../cpu/cpu-kernel.js';
import { ModuleBuilder } from './emitter.js';
import { defaultGemmShape, emitGemm, gemmScratchBytes } from './gemm.js';
import { HeapData, WasmHeap } from './heap.js';
import { emitElementwise } from './elementwise.js';
import { controlBytes } from './control.js';
import { ThreadPool, type PoolModule } from './pool.js';

/** 4 GiB, the most a 32-bit memory can address. */
const maximumPages = 65536;
const initialPages = 64;

const compiled = new Map<boolean, WebAssembly.Module>();

function kernelBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const builder = new ModuleBuilder({ module: 'env', name: 'memory', initialPages: 1, maximumPages: shared ? maximumPages : undefined, shared });
  emitGemm(builder, defaultGemmShape);
  emitElementwise(builder);
  return builder.encode();
}

/** The generated kernel module for a shared or unshared memory (built and compiled once). */
export function kernelModule(shared: boolean): WebAssembly.Module {
  let module = compiled.get(shared);
  if (!module) {
    module = new WebAssembly.Module(kernelBytes(shared));
    compiled.set(shared, module);
  }
  return module;
}

/**
 * `kernelModule`, compiled asynchronously: what browsers ask for on their main thread (Chromium
 * refuses a synchronous compile above a size limit, 4 KiB in older versions, 8 MiB now).
 */
async function compileKernelModule(shared: boolean): Promise<void> {
  if (!compiled.has(shared)) compiled.set(shared, await WebAssembly.compile(kernelBytes(shared)));
}

/** Whether `memory` is a SharedArrayBuffer that threads can share. */
function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

function createMemory(shared: boolean): WebAssembly.Memory {
  // NOTE: a browser page that is not cross-origin isolated may not share memory with workers.
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
  if (shared && isolated && typeof SharedArrayBuffer !== 'undefined') {
    try {
      return new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
    } catch {
      // Fall through to an unshared memory (single-threaded).
    }
  }
  return new WebAssembly.Memory({ initial: initialPages });
}

export interface WasmRuntimeOptions {
  /** Threads kernels may use, the calling one included (1 where the memory is not shared). */
  readonly threads: number;
  /** Whether to share the memory between threads, where SharedArrayBuffer exists (default true). */
  readonly shared?: boolean;
}

/** What the runtime holds, for `memoryInfo()`. */
export interface WasmMemoryInfo {
  readonly heldBytes: number;
  readonly heapLiveBytes: number;
  readonly heapPooledBytes: number;
  readonly threads: number;
}

/** A kernel module instantiated on every thread of a CPU backend (see `CpuWasm.load`). */
export type CpuWasmModule = PoolModule;

/**
 * The fast CPU backend's WebAssembly runtime, as other packages see it (`backend.wasm`): tensor
 * storage lives in `memory`, so a kernel module that imports it as `env.memory` can work on
 * tensors in place and run on the backend's threads.
 * @example
 * const mod = backend.wasm!.load(new WebAssembly.Module(bytes)); // imports env.memory
 * backend.wasm!.parallelFor(mod, 'rows', rows, [backend.wasm!.pointerOf(x.data)!]);
 */
export interface CpuWasm {
  readonly memory: WebAssembly.Memory;
  /** Whether `memory` is shared (its kernels' import must then declare a shared memory). */
  readonly shared: boolean;
  /** Threads `parallelFor` uses, the calling one included. */
  readonly threads: number;
  /** The byte address of element `offset` of a tensor's storage, or null when it is not in `memory`. */
  pointerOf(data: object, offset?: number): number | null;
  /**
   * Storage for `size` elements of `dtype` (zero-filled): in `memory`, or on the host when the heap
   * is full (then `pointerOf` gives null). Fused kernels take their scratch here; return it with `free`.
   */
  alloc(dtype: DType, size: number): CpuData;
  free(data: CpuData): void;
  /** Instantiates `module` (importing `env.memory`) on every thread. */
  load(module: WebAssembly.Module): CpuWasmModule;
  /**
   * Calls `exportName(thread, begin, end, ...args)` (at most 16 args) until every item of
   * [0, count) is done: threads (0 is the caller) claim items one at a time, so which thread runs
   * which item varies; a kernel must give the same result whichever does. Use `thread` to pick
   * per-thread scratch. Returns when all are done.
   */
  parallelFor(module: CpuWasmModule, exportName: string, count: number, args: readonly number[], options?: { threads?: number }): void;
  /**
   * Resolves once every worker thread takes tasks. In browsers workers start, and take a module
   * loaded after they started, asynchronously: `parallelFor` runs on the calling thread until then.
   */
  ready(): Promise<void>;
}

export class WasmRuntime implements CpuWasm {
  readonly heap: WasmHeap;
  readonly pool: ThreadPool;
  readonly kernels: PoolModule;
  private gemmScratch: number | null = null;
  private readonly requestedThreads: number;

  constructor(options: WasmRuntimeOptions, memory = createMemory(options.shared ?? true)) {
    this.heap = new WasmHeap(memory, 64, maximumPages * 65536);
    const control = this.heap.alloc(controlBytes)!;
    this.requestedThreads = Math.max(1, Math.floor(options.threads));
    this.pool = new ThreadPool(memory, control, this.requestedThreads);
    this.kernels = this.pool.load(kernelModule(this.heap.shared));
  }

  /**
   * A runtime whose kernel module is compiled asynchronously and whose worker threads have
   * started (in browsers they start only once the page's event loop runs).
   */
  static async create(options: WasmRuntimeOptions): Promise<WasmRuntime> {
    const memory = createMemory(options.shared ?? true);
    await compileKernelModule(isShared(memory));
    const runtime = new WasmRuntime(options, memory);
    await runtime.ready();
    return runtime;
  }

  get memory(): WebAssembly.Memory {
    return this.heap.memory;
  }

  get shared(): boolean {
    return this.heap.shared;
  }

  get threads(): number {
    return this.pool.threads;
  }

  /** Why the kernels run on one thread although more were asked for, or null. */
  get note(): string | null {
    return this.pool.note;
  }

  load(module: WebAssembly.Module): CpuWasmModule {
    return this.pool.load(module);
  }

  parallelFor(module: CpuWasmModule, exportName: string, count: number, args: readonly number[], options: { threads?: number } = {}): void {
    this.pool.run(module, exportName, count, args, options.threads);
  }

  ready(): Promise<void> {
    return this.pool.ready();
  }

  /** Storage for `size` elements of `dtype`: in the heap, or on the host when the heap is full. */
  alloc(dtype: DType, size: number): CpuData {
    if (size === 0) return new HeapData(this.heap, 0, dtype, 0);
    const ptr = this.heap.alloc(size * bytesPerElement(dtype));
    // NOTE: host storage works with every kernel; the fast ones copy it into the heap per call.
    if (ptr === null) return { array: arrayFor(dtype, size) };
    return new HeapData(this.heap, ptr, dtype, size);
  }

  free(data: CpuData): void {
    if (data instanceof HeapData && data.heap === this.heap && data.size > 0) this.heap.free(data.ptr, data.bytes);
  }

  /** The byte address of element `offset` of `data`, or null when it does not live in this heap. */
  pointerOf(data: object, offset = 0): number | null {
    if (!(data instanceof HeapData) || data.heap !== this.heap) return null;
    return data.ptr + offset * bytesPerElement(data.dtype);
  }

  /**
   * GEMM scratch: per-thread blocks (base + thread · stride) and one packed-B block that the
   * threads share when they split a single product; allocated on first use, kept for reuse.
   */
  gemmScratchFor(): { base: number; stride: number; sharedB: number } | null {
    const stride = gemmScratchBytes(defaultGemmShape);
    this.gemmScratch ??= this.heap.alloc(stride * this.requestedThreads + defaultGemmShape.kc * defaultGemmShape.nc * 4);
    return this.gemmScratch === null ? null : { base: this.gemmScratch, stride, sharedB: this.gemmScratch + stride * this.requestedThreads };
  }

  memoryInfo(): WasmMemoryInfo {
    const stats = this.heap.stats();
    return { heldBytes: stats.memoryBytes, heapLiveBytes: stats.liveBytes, heapPooledBytes: stats.pooledBytes, threads: this.pool.threads };
  }

  dispose(): void {
    this.pool.dispose();
  }
}
