// createWebGPUBackend: Backend v1 on a GPUDevice. Storage is pooled GPUBuffers (bool as u32),
// kernels come from the typed table in kernels/manifest.ts, the fused composites listed there and
// any extra sets, dispatches are batched per submit (scheduler.ts), and errors of the device
// (lost, uncaptured, WGSL compile) become BackendError at the next call, naming the kernel (errors
// of CPU fallbacks and index checks keep their own type).
import {
  BackendError, CapabilityError, createCpuBackend, DTypeError, KernelNotFoundError, TensorError,
  type AnyTypedArray, type Backend, type BackendMemoryInfo, type DataId, type DType,
} from '@longshort/tensor';
import { BufferPool, type BufferPoolOptions, type BufferPoolStats } from './buffers.js';
import { acquireDevice, type DeviceOptions, type WebGPUCapabilities } from './device.js';
import { fromGpuBytes, gpuByteLength, gpuBytesPerElement, toGpuArray, type GpuDType } from './dtypes.js';
import { runOnCpu } from './fallback.js';
import type { GpuData, GpuView, KernelContext, WebGPUKernel } from './kernel.js';
import { webgpuCompositeKernels, webgpuKernels } from './kernels/manifest.js';
import { IndexChecks } from './index-check.js';
import { foldGrid } from './layout.js';
import { packParams } from './params.js';
import { PipelineCache } from './pipelines.js';
import { Scheduler } from './scheduler.js';
import { bufferUsage } from './usage.js';

/** Debug switches (architecture guide B.5). */
export interface WebGPUFlags {
  /** Print the WGSL of these kernels (or 'all') when first compiled. */
  readonly printShaders?: readonly string[] | 'all';
  /** Submit after every dispatch, so a validation error names one kernel. */
  readonly syncEachKernel?: boolean;
  /** Folds grids above this many workgroups per dimension (default: the device limit); tests set it low. */
  readonly maxWorkgroupsPerDimension?: number;
}

/** A set of extra kernels (e.g. fused attention kernels), registered over the built-in ones. */
export type WebGPUKernelSet = readonly WebGPUKernel<never>[];

export interface WebGPUBackendOptions extends DeviceOptions {
  /** Extra kernels, later sets winning (nothing registers itself on import). */
  readonly kernels?: readonly WebGPUKernelSet[];
  /** Ops to run on the CPU fallback even where a kernel exists (to bisect a suspected kernel). */
  readonly cpuFallback?: readonly string[];
  readonly pool?: BufferPoolOptions;
  readonly flags?: WebGPUFlags;
  /** Dispatches batched per submit (default 64). */
  readonly maxDispatchesPerSubmit?: number;
  /** The backend's name (default 'webgpu'). */
  readonly name?: string;
}

export interface WebGPUStats extends BufferPoolStats {
  /** CPU fallbacks run, by op. */
  readonly fallbacks: Readonly<Record<string, number>>;
  readonly dispatches: number;
  readonly submits: number;
  readonly pipelines: number;
}

export interface WebGPUBackend extends Backend {
  readonly device: GPUDevice;
  readonly webgpu: WebGPUCapabilities;
  /** Registers (or replaces) the kernel of an op. */
  registerKernel(kernel: WebGPUKernel<never>): void;
  stats(): WebGPUStats;
  /** Destroys the pooled free buffers. */
  trim(): void;
}

type Entry = WebGPUKernel<never> | 'cpu-fallback';

const storageUsage = bufferUsage.storage | bufferUsage.copySrc | bufferUsage.copyDst;

/**
 * Creates the WebGPU backend on `options.device`, or on a device it requests (navigator.gpu in
 * browsers, the `webgpu` package in Node).
 * @example const backend = await createWebGPUBackend(); setBackend(backend);
 */
export async function createWebGPUBackend(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  const { device, capabilities, owned, keepAlive } = await acquireDevice(options);
  const name = options.name ?? 'webgpu';
  const dtypes: GpuDType[] = ['f32', 'i32', 'bool', ...(capabilities.features.includes('shader-f16') ? ['f16' as const] : [])];
  const pool = new BufferPool(device, options.pool);
  const cpu = createCpuBackend({ name: `${name}-cpu-fallback` });
  const fallbacks: Record<string, number> = {};
  let failure: TensorError | null = null;
  let failureIsRootCause = false;
  let lost: BackendError | null = null;
  let disposed = false;
  let lastKernel = '(none)';

  // A compile error is the root cause of the errors that follow from its invalid pipeline.
  const report = (error: TensorError, rootCause = false) => {
    if (failure && (failureIsRootCause || !rootCause)) return;
    failure = error;
    failureIsRootCause = rootCause;
  };
  const scheduler = new Scheduler(device, pool, { maxDispatchesPerSubmit: options.maxDispatchesPerSubmit ?? 64, report, name });
  const pipelines = new PipelineCache(device, { name, report: (error) => report(error, true), track: (d) => scheduler.track(d), printShaders: options.flags?.printShaders });

  const kernels = new Map<string, Entry>(Object.entries(webgpuKernels) as [string, Entry][]);
  for (const kernel of webgpuCompositeKernels) kernels.set(kernel.op, kernel);
  for (const set of options.kernels ?? []) for (const kernel of set) kernels.set(kernel.op, kernel);
  for (const op of options.cpuFallback ?? []) kernels.set(op, 'cpu-fallback');

  const onUncaptured = (event: Event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    const outOfMemory = error.constructor.name === 'GPUOutOfMemoryError';
    report(new BackendError(outOfMemory ? 'OUT_OF_MEMORY' : 'VALIDATION', name,
      `uncaptured ${outOfMemory ? 'out-of-memory' : 'validation'} error after kernel '${lastKernel}': ${error.message}`, { kernel: lastKernel }));
  };
  device.addEventListener('uncapturederror', onUncaptured);
  void device.lost.then((info) => {
    if (disposed) return;
    lost = new BackendError('DEVICE_LOST', name, `the device was lost (${info.reason}) after kernel '${lastKernel}': ${info.message}`, { kernel: lastKernel });
  });

  const checkAlive = () => {
    if (disposed) throw new BackendError('DEVICE_LOST', name, 'the backend was disposed; expected a live backend, got a disposed one.');
    if (lost) throw lost;
  };
  // Async calls check after flushing, so that pending compile diagnostics (the root causes) are in.
  const check = () => {
    checkAlive();
    if (failure) {
      const error = failure;
      failure = null;
      failureIsRootCause = false;
      throw error;
    }
  };

  const indexChecks = new IndexChecks(device);
  let scratch: GPUBuffer[] = [];
  const maxWorkgroupsPerDimension = Math.min(options.flags?.maxWorkgroupsPerDimension ?? Infinity, device.limits.maxComputeWorkgroupsPerDimension);
  const context: KernelContext = {
    device,
    limits: device.limits,
    maxWorkgroupsPerDimension,
    dispatch(program, buffers, params, grid) {
      lastKernel = program.label;
      const compiled = pipelines.get(program);
      const bytes = packParams(compiled.params, params, program.label);
      const uniform = pool.acquire(bytes.byteLength, bufferUsage.uniform | bufferUsage.copyDst, `${program.label} params`);
      device.queue.writeBuffer(uniform, 0, bytes);
      scheduler.releaseAfterSubmit(uniform);
      const bindGroup = device.createBindGroup({
        label: program.label,
        layout: compiled.pipeline.getBindGroupLayout(0),
        entries: [
          ...buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
          { binding: buffers.length, resource: { buffer: uniform, size: bytes.byteLength } },
        ],
      });
      const dims = typeof grid === 'number' ? foldGrid(grid, maxWorkgroupsPerDimension, program.label) : grid;
      scheduler.dispatch(compiled.pipeline, bindGroup, dims, program.label);
      if (options.flags?.syncEachKernel) scheduler.closeSegment();
    },
    scratch(bytes) {
      const buffer = pool.acquire(bytes, storageUsage, 'scratch');
      scratch.push(buffer);
      return buffer;
    },
    indexCheck: (check) => indexChecks.register(check),
  };

  const supported = (dtype: DType, op: string): GpuDType => {
    if (dtype === 'f16' && !dtypes.includes('f16')) {
      throw new CapabilityError('MISSING_FEATURE', name,
        "adapter lacks feature 'shader-f16' required by dtype f16.\nHint: use f32, or check capabilities.dtypes.", { feature: 'shader-f16' });
    }
    if (dtype === 'f64') throw new DTypeError('DTYPE_UNSUPPORTED', op, 'dtype', dtypes.join(' | '), dtype, name);
    return dtype;
  };

  const backend: WebGPUBackend = {
    specificationVersion: 'v1',
    name,
    device,
    webgpu: capabilities,
    capabilities: { dtypes, syncRead: false, info: { ...capabilities } },

    alloc(dtype: DType, size: number): DataId {
      check();
      const gpuDType = supported(dtype, 'alloc');
      const bytes = gpuByteLength(gpuDType, size);
      const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
      if (bytes > limit) {
        throw new CapabilityError('LIMIT_TOO_LOW', name, `a tensor of ${size} ${dtype} elements needs ${bytes} bytes; expected at most ${limit} (maxStorageBufferBindingSize), got more.`,
          { limit: 'maxStorageBufferBindingSize', actual: limit, required: bytes });
      }
      return { buffer: pool.acquire(bytes, storageUsage, `${dtype}[${size}]`), dtype: gpuDType, size } satisfies GpuData;
    },

    free(data: DataId) {
      scheduler.releaseAfterSubmit((data as GpuData).buffer);
    },

    write(data: DataId, values: AnyTypedArray, offset = 0) {
      check();
      const { buffer, dtype } = data as GpuData;
      const byteOffset = offset * gpuBytesPerElement(dtype);
      if (byteOffset % 4 !== 0) {
        throw new BackendError('VALIDATION', name, `write: offset ${offset} of a ${dtype} buffer is not 4-byte aligned; expected an even offset, got an odd one.`);
      }
      if (values.length > 0) device.queue.writeBuffer(buffer, byteOffset, toGpuArray(dtype, values));
    },

    async read(data: DataId, dtype: DType, offset: number, size: number): Promise<AnyTypedArray> {
      checkAlive();
      const gpuDType = supported(dtype, 'read');
      const { buffer } = data as GpuData;
      if (size === 0) return fromGpuBytes(gpuDType, new ArrayBuffer(0), 0);
      const bytesPerElement = gpuBytesPerElement(gpuDType);
      // Copies are 4-byte aligned: an f16 range may start and end half an element early or late.
      const start = Math.floor((offset * bytesPerElement) / 4) * 4;
      const end = Math.ceil(((offset + size) * bytesPerElement) / 4) * 4;
      const bytes = await scheduler.read(buffer, start, end - start);
      check();
      await indexChecks.verify(scheduler);
      return fromGpuBytes(gpuDType, bytes.slice(offset * bytesPerElement - start), size);
    },

    run(op, inputs, outputs, attrs) {
      check();
      const entry = kernels.get(op);
      if (!entry) throw new KernelNotFoundError(op, name, cpu.hasKernel(op) ? [cpu.name] : []);
      const gpuInputs = inputs as readonly GpuView[];
      const gpuOutputs = outputs as readonly GpuView[];
      const fallback = () => {
        fallbacks[op] = (fallbacks[op] ?? 0) + 1;
        runOnCpu(device, scheduler, cpu, op, gpuInputs, gpuOutputs, attrs, name);
      };
      if (entry === 'cpu-fallback') return fallback();
      const dispatched = scheduler.dispatches;
      try {
        entry.run(context, gpuInputs, gpuOutputs, attrs as never);
      } catch (error) {
        // NOTE: a layout beyond a kernel's limits (more than 8 merged axes, a grid beyond 65,535²)
        // runs on the CPU instead, counted like a declared fallback, if nothing was dispatched yet.
        const overLimit = CapabilityError.isInstance(error) && error.code === 'LIMIT_TOO_LOW';
        if (!overLimit || scheduler.dispatches !== dispatched || !cpu.hasKernel(op)) throw error;
        fallback();
      } finally {
        for (const buffer of scratch) scheduler.releaseAfterSubmit(buffer);
        scratch = [];
      }
    },

    hasKernel: (op) => kernels.has(op),

    acceptsStrided(op) {
      const entry = kernels.get(op);
      return entry === 'cpu-fallback' ? cpu.acceptsStrided?.(op) ?? false : entry?.strided ?? false;
    },

    async sync() {
      checkAlive();
      await scheduler.flush();
      await device.queue.onSubmittedWorkDone();
      check();
      await indexChecks.verify(scheduler);
    },

    memoryInfo(): BackendMemoryInfo {
      const pooled = pool.stats();
      return {
        heldBytes: pooled.liveBytes + pooled.pooledBytes,
        liveBuffers: pooled.liveBuffers,
        liveBytes: pooled.liveBytes,
        pooledBuffers: pooled.pooledBuffers,
        pooledBytes: pooled.pooledBytes,
        cpuFallbacks: Object.values(fallbacks).reduce((a, b) => a + b, 0),
      };
    },

    stats() {
      return { ...pool.stats(), fallbacks: { ...fallbacks }, dispatches: scheduler.dispatches, submits: scheduler.submits, pipelines: pipelines.size };
    },

    registerKernel(kernel) {
      kernels.set(kernel.op, kernel);
    },

    trim() {
      pool.trim();
    },

    dispose() {
      if (disposed) return;
      disposed = true;
      device.removeEventListener('uncapturederror', onUncaptured);
      pool.trim();
      indexChecks.destroy();
      if (owned) device.destroy();
    },
  };
  // The instance and adapter live as long as the backend (see AcquiredDevice.keepAlive).
  Object.defineProperty(backend, Symbol.for('@longshort/webgpu.keepAlive'), { value: keepAlive });
  return backend;
}
