import { describe, expect, it } from 'vitest';
import type { CpuView } from '../cpu/cpu-kernel.js';
import { ConfigError, createCpuBackend } from '../../index.js';
import { HeapData } from './heap.js';
import { wasmKernels } from './kernels.js';
import { WasmRuntime } from './runtime.js';

/** A contiguous view of runtime storage holding `values`. */
function view(rt: WasmRuntime, shape: number[], values?: number[]): CpuView {
  const data = rt.alloc('f32', shape.reduce((p, d) => p * d, 1));
  if (values) data.array.set(values);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  return { data, dtype: 'f32', shape, strides, offset: 0, get array() { return data.array; } };
}

describe('WasmRuntime', () => {
  it('on an unshared memory (browsers without cross-origin isolation) runs single-threaded and survives growth', () => {
    const rt = new WasmRuntime({ threads: 2, shared: false });
    expect(rt.shared).toBe(false);
    expect(rt.threads).toBe(1);
    const a = view(rt, [2, 3], [1, 2, 3, 4, 5, 6]);
    const b = view(rt, [3, 2], [1, 0, 0, 1, 1, 1]);
    const before = rt.memory.buffer;
    // A large allocation grows the memory, which detaches every earlier view of an unshared buffer.
    const big = rt.alloc('f32', 8 << 20);
    expect(rt.memory.buffer).not.toBe(before);
    const out = view(rt, [2, 2]);
    wasmKernels(rt).matmul.kernel([a, b], [out], { transposeA: false, transposeB: false });
    expect(Array.from(out.array)).toEqual([4, 5, 10, 11]);
    rt.free(big);
    rt.dispose();
  });

  it('hands out heap storage, counts it, and takes it back on free', () => {
    const rt = new WasmRuntime({ threads: 1 });
    const before = rt.memoryInfo();
    const data = rt.alloc('i32', 1000);
    expect(data).toBeInstanceOf(HeapData);
    expect(rt.pointerOf(data, 10)).toBe((data as HeapData).ptr + 40);
    expect(rt.pointerOf({ array: new Float32Array(4) })).toBeNull();
    expect(rt.memoryInfo().heapLiveBytes).toBeGreaterThanOrEqual(before.heapLiveBytes + 4000);
    rt.free(data);
    expect(rt.memoryInfo()).toMatchObject({ heapLiveBytes: before.heapLiveBytes, threads: 1 });
    expect(rt.memoryInfo().heapPooledBytes).toBeGreaterThanOrEqual(4000);
    expect(rt.memoryInfo().heldBytes).toBe(rt.memory.buffer.byteLength);
    rt.dispose();
  });
});

describe('createCpuBackend kernel selection', () => {
  it('defaults to the wasm kernels and offers the reference ones, validating its options', () => {
    const fast = createCpuBackend({ threads: 2 });
    expect(fast.capabilities.info).toMatchObject({ kind: 'wasm-simd', threads: 2, sharedMemory: true });
    expect(fast.wasm).not.toBeNull();
    fast.dispose();
    const reference = createCpuBackend({ kernels: 'reference' });
    expect(reference.capabilities.info).toMatchObject({ kind: 'reference', threads: 1 });
    expect(reference.wasm).toBeNull();
    expect(reference.memoryInfo().heldBytes).toBe(0);
    expect(() => createCpuBackend({ threads: 0 })).toThrow(ConfigError);
    expect(() => createCpuBackend({ threads: 1.5 })).toThrow(/'threads' is invalid; expected an integer >= 1, got 1.5/);
    expect(() => createCpuBackend({ kernels: 'gpu' as 'wasm' })).toThrow(/'kernels' is invalid/);
  });
});
