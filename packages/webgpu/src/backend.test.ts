// The backend itself on Dawn: device and capabilities, storage round trips per dtype, the buffer
// pool and pipeline cache, typed errors (compile errors, lost devices, no adapter, f64, sync reads).
import { BackendError, CapabilityError, DTypeError, add, exp, fromArray, matmul, memory, neg, tensor, tidy, type DType } from '@longshort/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebGPUBackend } from './backend.js';
import { defineWebGPUKernel } from './kernel.js';
import { backendForTests } from './test-support.js';

const backend = await backendForTests();

describe.skipIf(!backend)('WebGPU backend (Dawn)', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());

  it('requests a device with the adapter limits and reports capabilities', () => {
    expect(gpu.specificationVersion).toBe('v1');
    expect(gpu.capabilities.dtypes).toEqual(expect.arrayContaining(['f32', 'i32', 'bool']));
    expect(gpu.capabilities.syncRead).toBe(false);
    expect(gpu.webgpu.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
    expect(gpu.device.limits.maxStorageBufferBindingSize).toBe(gpu.webgpu.limits.maxStorageBufferBindingSize);
    expect(typeof gpu.webgpu.isSoftware).toBe('boolean');
    expect(gpu.webgpu.adapterInfo.architecture.length + gpu.webgpu.adapterInfo.vendor.length).toBeGreaterThan(0);
  });

  it.each<[DType, number[]]>([
    ['f32', [1.5, -2.25, 0, 3e38, -1e-30]],
    ['i32', [1, -2, 2147483647, -2147483648, 0]],
    ['bool', [1, 0, 1, 1, 0]],
  ])('round-trips %s values, also at an offset', async (dtype, values) => {
    const t = fromArray(values, [values.length], dtype, gpu);
    expect(Array.from(await t.data())).toEqual(dtype === 'f32' ? Array.from(Float32Array.from(values)) : values);
    const data = t.storage.data;
    expect(Array.from(await gpu.read(data, dtype, 2, 3))).toEqual(Array.from(await t.data()).slice(2));
    t.dispose();
  });

  it('reads empty tensors', async () => {
    const t = fromArray([], [0, 3], 'f32', gpu);
    expect((await t.data()).length).toBe(0);
    const y = add(t, 1);
    expect(y.shape).toEqual([0, 3]);
    expect((await y.data()).length).toBe(0);
    y.dispose();
    t.dispose();
  });

  it('throws typed errors for unsupported dtypes and synchronous reads', () => {
    expect(() => fromArray([1], [1], 'f64', gpu)).toThrow(DTypeError);
    const t = tensor([1, 2], [2], 'f32', gpu);
    expect(() => t.dataSync()).toThrow(BackendError);
    expect(() => t.dataSync()).toThrow(/await t.data\(\)/);
    t.dispose();
  });

  it('f16 computes in f32 and stores halves (needs shader-f16)', async (context) => {
    if (!gpu.capabilities.dtypes.includes('f16')) {
      console.info("skipped: this adapter lacks 'shader-f16' (SwiftShader has none); the f16 kernels run only where the feature exists");
      expect(() => fromArray([1], [1], 'f16', gpu)).toThrow(CapabilityError);
      context.skip();
    }
    // Halves as raw bits: 1, −2, 0.5, 3 (f16 has no host type; the reference cannot compute it).
    const x = fromArray([0x3c00, 0xc000, 0x3800, 0x4200], [2, 2], 'f16', gpu);
    expect(Array.from(await x.data())).toEqual([0x3c00, 0xc000, 0x3800, 0x4200]);
    const y = tidy(() => add(matmul(x, x), 1)); // [[1·1 − 2·0.5, 1·−2 − 2·3], [0.5 + 1.5, −1 + 9]] + 1
    expect(Array.from(await y.data())).toEqual([0x3c00, 0xc700, 0x4200, 0x4880]); // 1, −7, 3, 9
    x.dispose();
    y.dispose();
  });

  it('reuses pooled buffers: a steady loop creates no new buffers', async () => {
    const x = tensor([1, 2, 3, 4], [4], 'f32', gpu);
    const step = async () => {
      const y = tidy(() => exp(add(x, 1)));
      await y.data();
      y.dispose();
    };
    await step();
    await step();
    const created = gpu.stats().createdBuffers;
    const live = gpu.memoryInfo().liveBuffers;
    for (let i = 0; i < 5; i++) await step();
    expect(gpu.stats().createdBuffers).toBe(created);
    expect(gpu.memoryInfo().liveBuffers).toBe(live);
    x.dispose();
    expect(memory(gpu).liveStorages).toBe(0);
  });

  it('compiles one pipeline per op, dtype and rank: a new size compiles nothing', async () => {
    const run = async (shape: number[]) => {
      const x = fromArray(new Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape, 'f32', gpu);
      const y = tidy(() => exp(add(x, x)));
      await y.data();
      x.dispose();
      y.dispose();
    };
    await run([3, 4]);
    const compiled = gpu.stats().pipelines;
    await run([17, 5]);
    await run([1000, 3]);
    expect(gpu.stats().pipelines).toBe(compiled);
  });

  it('destroys freed buffers beyond the pool cap', async () => {
    const capped = await createWebGPUBackend({ pool: { capBytes: 0 } });
    try {
      const t = tensor([1, 2, 3], [3], 'f32', capped);
      t.dispose();
      await capped.sync();
      expect(capped.memoryInfo().pooledBuffers).toBe(0);
      expect(capped.memoryInfo().liveBuffers).toBe(0);
    } finally {
      capped.dispose();
    }
  });

  it('trim() destroys the pooled buffers', async () => {
    const t = tensor([1, 2, 3], [3], 'f32', gpu);
    t.dispose();
    await gpu.sync();
    expect(gpu.memoryInfo().pooledBuffers).toBeGreaterThan(0);
    gpu.trim();
    expect(gpu.memoryInfo().pooledBuffers).toBe(0);
    expect(gpu.memoryInfo().pooledBytes).toBe(0);
  });

  it('reports a WGSL compile error as a BackendError naming the kernel', async () => {
    const broken = defineWebGPUKernel('neg', {
      run(context, [x], [y]) {
        context.dispatch({ label: 'broken-neg', key: '', code: () => 'struct Params { size: u32 }\n@compute @workgroup_size(1) fn main( {' },
          [x.data.buffer, y.data.buffer], { size: 1 }, 1);
      },
    });
    const other = await createWebGPUBackend({ kernels: [[broken]] });
    try {
      const x = tensor([1], [1], 'f32', other);
      const y = neg(x);
      const error = await y.data().then(() => null, (e: unknown) => e);
      expect(BackendError.isInstance(error)).toBe(true);
      expect((error as BackendError).kernel).toBe('broken-neg');
      expect((error as Error).message).toMatch(/kernel 'broken-neg' failed to compile/);
      expect((error as Error).message).toMatch(/line 2/);
    } finally {
      other.dispose();
    }
  });

  it('throws NO_ADAPTER when requestAdapter() finds none', async () => {
    const previous = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter: async () => null } }, configurable: true });
    try {
      const error = await createWebGPUBackend().then(() => null, (e: unknown) => e);
      expect(CapabilityError.isInstance(error)).toBe(true);
      expect((error as CapabilityError).code).toBe('NO_ADAPTER');
    } finally {
      if (previous) Object.defineProperty(globalThis, 'navigator', previous);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  it('turns a lost device into a BackendError on the next call', async () => {
    const other = await createWebGPUBackend();
    const t = tensor([1, 2], [2], 'f32', other);
    other.device.destroy();
    await other.device.lost;
    expect(() => exp(t)).toThrow(BackendError);
    const error = await t.data().then(() => null, (e: unknown) => e);
    expect((error as BackendError).code).toBe('DEVICE_LOST');
    other.dispose();
  });

  it('refuses work after dispose', async () => {
    const other = await createWebGPUBackend();
    other.dispose();
    expect(() => other.alloc('f32', 4)).toThrow(BackendError);
  });
});
