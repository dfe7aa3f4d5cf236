import { describe, expect, it } from 'vitest';
import { HeapData, WasmHeap, sizeClass } from './heap.js';

describe('sizeClass', () => {
  it('rounds up to 16-byte multiples, wasting at most 25% above 256 bytes, 64-byte aligned above 1 KiB', () => {
    let previous = 0;
    for (let bytes = 1; bytes < 300_000; bytes += 1 + Math.floor(bytes / 7)) {
      const c = sizeClass(bytes);
      expect(c).toBeGreaterThanOrEqual(bytes);
      expect(c).toBeGreaterThanOrEqual(previous);
      expect(c % 16).toBe(0);
      if (bytes > 256) expect(c).toBeLessThanOrEqual(bytes * 1.25);
      if (bytes > 1024) expect(c % 64).toBe(0);
      previous = c;
    }
    expect(sizeClass(0)).toBe(16);
    expect(sizeClass(4096)).toBe(4096);
    expect(sizeClass(4097)).toBe(5120);
  });
});

describe('WasmHeap', () => {
  it('reuses freed blocks of the same class, zero-filled, and counts live and pooled bytes', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1 }), 64, 1 << 20);
    const a = heap.alloc(100)!;
    const b = heap.alloc(100)!;
    expect(a % 16).toBe(0);
    expect(b).toBe(a + sizeClass(100));
    new Uint8Array(heap.memory.buffer, a, 100).fill(7);
    heap.free(a, 100);
    expect(heap.stats()).toMatchObject({ liveBytes: sizeClass(100), pooledBytes: sizeClass(100) });
    const c = heap.alloc(97)!;
    expect(c).toBe(a);
    expect(Array.from(new Uint8Array(heap.memory.buffer, c, 100)).every((v) => v === 0)).toBe(true);
    expect(heap.stats()).toMatchObject({ liveBytes: 2 * sizeClass(100), pooledBytes: 0 });
  });

  it('grows the memory on demand and re-creates views that a non-shared growth detached', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1 }), 64, 16 * 65536);
    const ptr = heap.alloc(400)!;
    const data = new HeapData(heap, ptr, 'f32', 100);
    data.array.fill(3);
    const before = heap.f32;
    const big = heap.alloc(3 * 65536);
    expect(big).not.toBeNull();
    expect(heap.stats().memoryBytes).toBeGreaterThan(65536);
    expect(before.length).toBe(0); // detached by the growth
    expect(data.array.length).toBe(100);
    expect(Array.from(data.array.subarray(0, 3))).toEqual([3, 3, 3]);
    expect(heap.f32.length).toBe(heap.stats().memoryBytes / 4);
  });

  it('returns null when the memory cannot grow further', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 64, 2 * 65536);
    expect(heap.alloc(65536)).not.toBeNull();
    expect(heap.alloc(65536)).toBeNull();
  });

  it('keeps views of a shared memory valid across growth', () => {
    const heap = new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true }), 64, 64 * 65536);
    expect(heap.shared).toBe(true);
    const data = new HeapData(heap, heap.alloc(16)!, 'i32', 4);
    const view = data.array;
    view.set([1, 2, 3, 4]);
    heap.alloc(5 * 65536);
    expect(Array.from(view)).toEqual([1, 2, 3, 4]);
    expect(data.array).toBe(view);
  });
});
