// The current backend. Applications choose it with setBackend(); until then tensors live on the
// CPU reference backend, created on first use (nothing registers itself on import).
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import type { Backend } from './spec.js';

let current: Backend | null = null;

/** Makes `backend` the one new tensors are created on. */
export function setBackend(backend: Backend): void {
  current = backend;
}

export function getBackend(): Backend {
  current ??= createCpuBackend();
  return current;
}
