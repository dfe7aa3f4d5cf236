// A pool of GPUBuffers by usage and size class (powers of two with four steps each, so at most a
// quarter of a buffer is slack). Freed buffers come back only after the work that used them was
// submitted (see scheduler.ts), are kept up to a byte cap, and trim() destroys them all.

export interface BufferPoolOptions {
  /** Bytes of free buffers kept for reuse; beyond it, freed buffers are destroyed (default 256 MiB). */
  readonly capBytes?: number;
}

export interface BufferPoolStats {
  /** Buffers handed out and not yet returned. */
  readonly liveBuffers: number;
  readonly liveBytes: number;
  /** Free buffers kept for reuse. */
  readonly pooledBuffers: number;
  readonly pooledBytes: number;
  /** Buffers created since the pool started (a steady loop stops creating). */
  readonly createdBuffers: number;
}

const minClassBytes = 16;

/**
 * The size class of a request: the smallest 2^k · {1, 1.25, 1.5, 1.75} that holds `bytes`
 * (at least 16, a multiple of 16 so that any class can bind as vec4 storage).
 * @example sizeClass(100) // 112
 */
export function sizeClass(bytes: number): number {
  if (bytes <= minClassBytes) return minClassBytes;
  const power = 2 ** Math.floor(Math.log2(bytes));
  const step = Math.max(power / 4, minClassBytes);
  return Math.ceil(bytes / step) * step;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private readonly capBytes: number;
  private live = 0;
  private liveBytesCount = 0;
  private pooled = 0;
  private pooledBytesCount = 0;
  private created = 0;

  constructor(private readonly device: GPUDevice, options: BufferPoolOptions = {}) {
    this.capBytes = options.capBytes ?? 256 * 2 ** 20;
  }

  /** A buffer of at least `bytes` bytes with `usage`, reused when one of its class is free. */
  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(`${usage}:${size}`);
    let buffer = list?.pop();
    if (buffer) {
      this.pooled--;
      this.pooledBytesCount -= size;
    } else {
      buffer = this.device.createBuffer({ size, usage, label });
      this.created++;
    }
    this.live++;
    this.liveBytesCount += size;
    return buffer;
  }

  /** Returns a buffer whose last use has been submitted; beyond the cap it is destroyed. */
  release(buffer: GPUBuffer): void {
    this.live--;
    this.liveBytesCount -= buffer.size;
    if (this.pooledBytesCount + buffer.size > this.capBytes) {
      buffer.destroy();
      return;
    }
    const key = `${buffer.usage}:${buffer.size}`;
    let list = this.free.get(key);
    if (!list) {
      list = [];
      this.free.set(key, list);
    }
    list.push(buffer);
    this.pooled++;
    this.pooledBytesCount += buffer.size;
  }

  /** Destroys every free buffer (live ones are untouched). */
  trim(): void {
    for (const list of this.free.values()) for (const buffer of list) buffer.destroy();
    this.free.clear();
    this.pooled = 0;
    this.pooledBytesCount = 0;
  }

  stats(): BufferPoolStats {
    return {
      liveBuffers: this.live,
      liveBytes: this.liveBytesCount,
      pooledBuffers: this.pooled,
      pooledBytes: this.pooledBytesCount,
      createdBuffers: this.created,
    };
  }
}
