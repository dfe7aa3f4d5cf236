// The kernel-authoring kit of the fast CPU backend, for fused kernels of other packages (exported
// from `@longshort/tensor/internal`): a module builder whose memory import matches a backend's
// runtime, and the backend's own emitted building blocks (the packed SIMD GEMM, a vector e^x).
import { ModuleBuilder } from './emitter.js';
import type { CpuWasm } from './runtime.js';

export { emitGemm, gemmScratchBytes, type GemmShape } from './gemm.js';
export { Temps, emitExp } from './elementwise.js';

/**
 * A module builder that imports `env.memory` as `wasm.memory` is declared (shared or not), so the
 * encoded module can be instantiated with `wasm.load` on every thread of the backend.
 * @example const m = kernelModuleBuilder(backend.wasm!); m.function('f', ['i32', 'i32', 'i32'], [], (f) => f);
 */
export function kernelModuleBuilder(wasm: CpuWasm): ModuleBuilder {
  // NOTE: a shared memory's import must declare a maximum; the runtime's is the 32-bit limit.
  return new ModuleBuilder({ module: 'env', name: 'memory', initialPages: 1, maximumPages: wasm.shared ? 65536 : undefined, shared: wasm.shared });
}
