// Index values are data, so gather / indexSelect / scatterAdd cannot reject bad ones before they
// run. Their kernels record an out-of-range value in a small status buffer (wgsl/index-check.wgsl)
// and skip the element; the next read or sync reads the status back and throws the same
// ShapeError as the CPU reference, naming the op, the axis, the value and its position.
import { ShapeError, formatShape } from '@longshort/tensor';
import type { Scheduler } from './scheduler.js';
import { bufferUsage } from './usage.js';

export interface IndexCheck {
  readonly op: string;
  readonly axis: number;
  /** Shape of the indexed tensor. */
  readonly shape: readonly number[];
  /** Maps the recorded flat position (in the kernel's output) to the position in the index. */
  readonly position?: (recorded: number) => number;
}

export class IndexChecks {
  private buffer: GPUBuffer | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, IndexCheck>();

  constructor(private readonly device: GPUDevice) {}

  /** The status buffer and the id a kernel records under (new buffers start zeroed). */
  register(check: IndexCheck): { buffer: GPUBuffer; id: number } {
    this.buffer ??= this.device.createBuffer({ size: 16, usage: bufferUsage.storage | bufferUsage.copySrc | bufferUsage.copyDst, label: 'index-check' });
    const id = this.nextId++;
    this.pending.set(id, check);
    return { buffer: this.buffer, id };
  }

  /** Throws the ShapeError of a recorded failure. Call when all registered work is submitted. */
  async verify(scheduler: Scheduler): Promise<void> {
    if (this.pending.size === 0 || !this.buffer) return;
    const checks = new Map(this.pending);
    const [id, bits, recorded] = new Uint32Array(await scheduler.readSubmitted(this.buffer, 0, 16));
    for (const key of checks.keys()) this.pending.delete(key);
    if (id === 0) return;
    this.device.queue.writeBuffer(this.buffer, 0, new Uint32Array(4));
    const check = checks.get(id);
    if (!check) return;
    const value = bits | 0;
    const position = check.position ? check.position(recorded) : recorded;
    throw new ShapeError('BAD_AXIS', check.op, 'index', `has an entry out of range for axis ${check.axis} of ${formatShape(check.shape)}`,
      `values in [0, ${check.shape[check.axis]})`, `${value} at flat position ${position}`);
  }

  destroy(): void {
    this.buffer?.destroy();
    this.buffer = null;
  }
}
