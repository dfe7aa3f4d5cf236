// Live-tensor, live-byte and peak-byte counters per backend. Every storage allocation and tensor
// goes through here, so a leak shows up as a counter that does not return to its baseline.
import type { Backend } from './backend/spec.js';

export interface MemoryStats {
  /** Tensor objects not yet disposed (views count; internal autograd aliases count too). */
  liveTensors: number;
  /** Storages (backend allocations) not yet freed. */
  liveStorages: number;
  /** Bytes of tensor storage currently allocated. */
  liveBytes: number;
  /** Highest liveBytes since the backend started or since resetPeakBytes(). */
  peakBytes: number;
}

const stats = new WeakMap<Backend, MemoryStats>();

export function statsFor(backend: Backend): MemoryStats {
  let s = stats.get(backend);
  if (!s) {
    s = { liveTensors: 0, liveStorages: 0, liveBytes: 0, peakBytes: 0 };
    stats.set(backend, s);
  }
  return s;
}

export function countAlloc(backend: Backend, bytes: number): void {
  const s = statsFor(backend);
  s.liveStorages++;
  s.liveBytes += bytes;
  if (s.liveBytes > s.peakBytes) s.peakBytes = s.liveBytes;
}

export function countFree(backend: Backend, bytes: number): void {
  const s = statsFor(backend);
  s.liveStorages--;
  s.liveBytes -= bytes;
}

/**
 * The memory counters of a backend, with what the backend itself reports (pools, scratch).
 * @example
 * const before = memory().liveTensors;
 * tidy(() => add(ones([2]), ones([2])));
 * memory().liveTensors === before; // true
 */
export function memoryOf(backend: Backend): MemoryStats & { backend: Record<string, number> } {
  return { ...statsFor(backend), backend: { ...backend.memoryInfo() } };
}

/** Sets peakBytes to the current liveBytes, to measure the peak of what follows. */
export function resetPeakBytesOf(backend: Backend): void {
  const s = statsFor(backend);
  s.peakBytes = s.liveBytes;
}
