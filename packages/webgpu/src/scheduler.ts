// The command timeline. Dispatches are batched into one open command encoder (one compute pass)
// and submitted as a segment: before reads, at sync, or every `maxDispatchesPerSubmit`. CPU
// fallbacks are host tasks between segments: segments after a pending task wait for it. Buffers
// freed while a segment is open return to the pool only once that segment was submitted, so a
// queue.writeBuffer into a reused buffer can never overtake the work that last read it.
import { BackendError, TensorError } from '@longshort/tensor';
import type { BufferPool } from './buffers.js';
import { bufferUsage, mapModeRead } from './usage.js';

export interface SchedulerOptions {
  /** Submit after this many dispatches (bounds the memory held by pending frees). */
  readonly maxDispatchesPerSubmit: number;
  /** Receives errors of submitted work and of host tasks (surfaced at the next call). */
  readonly report: (error: TensorError) => void;
  /** The backend's name, for error messages. */
  readonly name: string;
}

type Item =
  | { readonly kind: 'gpu'; readonly commands: GPUCommandBuffer | null; readonly releases: GPUBuffer[]; readonly labels: string[] }
  | { readonly kind: 'host'; readonly label: string; readonly task: () => Promise<void> };

export class Scheduler {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private releases: GPUBuffer[] = [];
  private labels: string[] = [];
  private encoded = 0;
  private readonly timeline: Item[] = [];
  private draining: Promise<void> | null = null;
  private readonly diagnostics = new Set<Promise<void>>();
  /** Counters for stats(). */
  dispatches = 0;
  submits = 0;

  constructor(private readonly device: GPUDevice, private readonly pool: BufferPool, private readonly options: SchedulerOptions) {}

  /** Encodes one dispatch into the open segment. */
  dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, grid: readonly [number, number, number], label: string): void {
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.dispatches++;
    this.labels.push(label);
    if (++this.encoded >= this.options.maxDispatchesPerSubmit) this.closeSegment();
  }

  /** Encodes a buffer-to-buffer copy into the open segment. */
  copy(source: GPUBuffer, sourceOffset: number, target: GPUBuffer, targetOffset: number, bytes: number): void {
    this.endPass();
    this.commandEncoder().copyBufferToBuffer(source, sourceOffset, target, targetOffset, bytes);
  }

  /** Returns `buffer` to the pool once the open segment (its last possible user) is submitted. */
  releaseAfterSubmit(buffer: GPUBuffer): void {
    this.releases.push(buffer);
  }

  /** Closes the open segment (if any) and queues it for submission. */
  closeSegment(): void {
    if (!this.encoder && this.releases.length === 0) return;
    this.endPass();
    const encoder = this.encoder;
    const commands = encoder ? this.guard(this.labels, () => encoder.finish()) : null;
    this.timeline.push({ kind: 'gpu', commands, releases: this.releases, labels: this.labels });
    this.encoder = null;
    this.releases = [];
    this.labels = [];
    this.encoded = 0;
    this.pump();
  }

  /** Queues host work after everything encoded so far; later segments wait for it. */
  enqueueHost(label: string, task: () => Promise<void>): void {
    this.closeSegment();
    this.timeline.push({ kind: 'host', label, task });
    this.pump();
  }

  /** Submits everything and waits for pending host tasks and error reports. */
  async flush(): Promise<void> {
    this.closeSegment();
    while (this.draining) await this.draining;
    await Promise.all(this.diagnostics);
  }

  /** Tracks an error-report promise so that flush() waits for it. */
  track(diagnostic: Promise<void>): void {
    const tracked = diagnostic.finally(() => this.diagnostics.delete(tracked));
    this.diagnostics.add(tracked);
  }

  /** Copies bytes out of `source` after all work encoded so far (flushes the timeline). */
  async read(source: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
    const staging = this.pool.acquire(bytes, bufferUsage.mapRead | bufferUsage.copyDst, 'readback');
    try {
      this.copy(source, offset, staging, 0, bytes);
      await this.flush();
      return await this.mapped(staging, bytes);
    } finally {
      this.pool.release(staging);
    }
  }

  /** Copies bytes out of `source` at once: only where all earlier work is submitted (host tasks). */
  async readSubmitted(source: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
    const staging = this.pool.acquire(bytes, bufferUsage.mapRead | bufferUsage.copyDst, 'readback');
    try {
      const encoder = this.device.createCommandEncoder({ label: 'readback' });
      encoder.copyBufferToBuffer(source, offset, staging, 0, bytes);
      this.device.queue.submit([encoder.finish()]);
      this.submits++;
      return await this.mapped(staging, bytes);
    } finally {
      this.pool.release(staging);
    }
  }

  private async mapped(staging: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    await staging.mapAsync(mapModeRead, 0, bytes);
    const copy = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    return copy;
  }

  private computePass(): GPUComputePassEncoder {
    this.pass ??= this.commandEncoder().beginComputePass();
    return this.pass;
  }

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: this.options.name });
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Runs the timeline in order: segments submit at once, host tasks block what follows. */
  private pump(): void {
    while (this.timeline.length > 0 && !this.draining) {
      const item = this.timeline.shift()!;
      if (item.kind === 'gpu') {
        this.submit(item);
        continue;
      }
      this.draining = item.task().then(
        () => { this.draining = null; this.pump(); },
        (error: unknown) => {
          this.draining = null;
          // A typed error of the CPU kernel (an out-of-range index) surfaces as it is.
          this.options.report(TensorError.isInstance(error) ? error
            : new BackendError('VALIDATION', this.options.name, `CPU fallback of '${item.label}' failed: ${String(error)}`, { kernel: item.label, cause: error }));
          this.pump();
        });
    }
  }

  private submit(item: Extract<Item, { kind: 'gpu' }>): void {
    const commands = item.commands;
    if (commands) {
      this.guard(item.labels, () => this.device.queue.submit([commands]));
      this.submits++;
    }
    for (const buffer of item.releases) this.pool.release(buffer);
  }

  /** Runs `fn` in a validation error scope; an error is reported naming the batch's kernels. */
  private guard<T>(labels: readonly string[], fn: () => T): T {
    this.device.pushErrorScope('validation');
    const result = fn();
    const kernels = [...new Set(labels)];
    this.track(this.device.popErrorScope().then((error) => {
      if (!error) return;
      this.options.report(new BackendError('VALIDATION', this.options.name,
        `a batch running kernels [${kernels.join(', ')}] failed validation: ${error.message}`, { kernel: kernels[kernels.length - 1] }));
    }));
    return result;
  }
}
