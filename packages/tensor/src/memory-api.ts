// Public memory counters for the current (or a given) backend.
import { getBackend } from './backend/registry.js';
import type { Backend } from './backend/spec.js';
import { memoryOf, resetPeakBytesOf } from './memory.js';

/**
 * Live tensors, live bytes and peak bytes of a backend (default: the current one).
 * @example
 * const { liveTensors } = memory();
 */
export function memory(backend: Backend = getBackend()) {
  return memoryOf(backend);
}

/** Starts a new peak-bytes measurement on a backend (default: the current one). */
export function resetPeakBytes(backend: Backend = getBackend()): void {
  resetPeakBytesOf(backend);
}
