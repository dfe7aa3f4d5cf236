// Tensor storage inside a WebAssembly.Memory, so kernels take pointers instead of copying: a
// size-class allocator (a free list per class, a bump pointer above them, O(1) alloc and free)
// over a memory that grows on demand. Blocks are never split or merged, as in a slab allocator.
import { bytesPerElement, type AnyTypedArray, type DType } from '../../dtype.js';
import type { CpuData } from '../cpu/cpu-kernel.js';

const pageBytes = 65536;

/**
 * The block size an allocation of `bytes` gets: multiples of 16 up to 256 bytes, then four
 * classes per power of two (so at most 25% is wasted); 64-byte multiples from 1 KiB on, so large
 * blocks start on cache lines.
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return Math.max(16, Math.ceil(bytes / 16) * 16);
  const step = Math.max(2 ** Math.floor(Math.log2(bytes - 1)) / 4, bytes > 1024 ? 64 : 16);
  return Math.ceil(bytes / step) * step;
}

export interface HeapStats {
  /** Bytes in blocks handed out and not freed (class sizes). */
  readonly liveBytes: number;
  /** Bytes in freed blocks kept for reuse. */
  readonly pooledBytes: number;
  /** Current size of the memory. */
  readonly memoryBytes: number;
}

/** A growable heap of 16-byte-aligned blocks in `memory`, starting at byte `base`. */
export class WasmHeap {
  private readonly freeLists = new Map<number, number[]>();
  private top: number;
  private live = 0;
  private pooled = 0;
  /** Cached views of the whole memory, re-created when the memory grows. */
  private f32View: Float32Array;
  private i32View: Int32Array;

  constructor(readonly memory: WebAssembly.Memory, base: number, private readonly maximumBytes: number) {
    this.top = base;
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  /** Whether the memory is a SharedArrayBuffer (views survive growth; threads can share it). */
  get shared(): boolean {
    return typeof SharedArrayBuffer !== 'undefined' && this.memory.buffer instanceof SharedArrayBuffer;
  }

  /** The whole memory as f32 (re-read after anything that may allocate). */
  get f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer) this.refreshViews();
    return this.f32View;
  }

  get i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer) this.refreshViews();
    return this.i32View;
  }

  private refreshViews(): void {
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
  }

  /** A zero-filled block of at least `bytes` bytes; its address, or null when the memory cannot grow. */
  alloc(bytes: number): number | null {
    const size = sizeClass(bytes);
    const reused = this.freeLists.get(size)?.pop();
    let ptr: number;
    if (reused !== undefined) {
      ptr = reused;
      this.pooled -= size;
      new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    } else {
      if (this.top + size > this.memory.buffer.byteLength && !this.grow(this.top + size)) return null;
      ptr = this.top;
      this.top += size;
    }
    this.live += size;
    return ptr;
  }

  /** Returns a block from `alloc(bytes)` to its class's free list. */
  free(ptr: number, bytes: number): void {
    const size = sizeClass(bytes);
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
    this.live -= size;
    this.pooled += size;
  }

  private grow(needed: number): boolean {
    const current = this.memory.buffer.byteLength;
    // NOTE: grow by at least half the current size, so n allocations cost O(log n) grows.
    const target = Math.min(Math.max(needed, current + current / 2), this.maximumBytes);
    if (target < needed) return false;
    try {
      this.memory.grow(Math.ceil((target - current) / pageBytes));
      return true;
    } catch {
      return false;
    }
  }

  stats(): HeapStats {
    return { liveBytes: this.live, pooledBytes: this.pooled, memoryBytes: this.memory.buffer.byteLength };
  }
}

function viewOf(buffer: ArrayBufferLike, dtype: DType, ptr: number, size: number): AnyTypedArray {
  switch (dtype) {
    case 'f64': return new Float64Array(buffer, ptr, size);
    case 'f32': return new Float32Array(buffer, ptr, size);
    case 'f16': return new Uint16Array(buffer, ptr, size);
    case 'i32': return new Int32Array(buffer, ptr, size);
    case 'bool': return new Uint8Array(buffer, ptr, size);
  }
}

/**
 * CPU storage that lives in a WasmHeap: `array` is a view of the heap's memory at `ptr`.
 * NOTE: a non-shared memory detaches its old buffer when it grows; the view is then re-created.
 */
export class HeapData implements CpuData {
  private view: AnyTypedArray;
  readonly bytes: number;

  constructor(readonly heap: WasmHeap, readonly ptr: number, readonly dtype: DType, readonly size: number) {
    this.bytes = size * bytesPerElement(dtype);
    this.view = viewOf(heap.memory.buffer, dtype, ptr, size);
  }

  get array(): AnyTypedArray {
    if (this.view.length !== this.size) this.view = viewOf(this.heap.memory.buffer, this.dtype, this.ptr, this.size);
    return this.view;
  }
}
