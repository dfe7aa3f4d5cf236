// Host side of the fused attention WebAssembly kernels (spec A.3 / B.5 cores on the fast CPU
// backend): one compiled module per kernel family and backend, tensor addresses in the backend's
// memory, and per-call scratch (descriptor, per-thread tiles) taken from its heap.
import type { CpuData, CpuView, CpuWasm, CpuWasmModule } from '@longshort/tensor';
import { gemmScratchBytes, kernelModuleBuilder, type GemmShape, type ModuleBuilder } from '@longshort/tensor/internal';

/**
 * The GEMM blocking of the fused kernels: their products are at most a few hundred rows and
 * columns, so a narrower B block than the backend's keeps the per-thread scratch small.
 */
export const fusedGemmShape: GemmShape = { mr: 4, nr: 8, kc: 256, mc: 64, nc: 256, unroll: 1 };

/** Bytes of GEMM scratch each thread needs. */
export const fusedGemmScratchBytes = gemmScratchBytes(fusedGemmShape);

const loaded = new WeakMap<CpuWasm, Map<string, CpuWasmModule>>();
const compiled = new Map<string, WebAssembly.Module>();

/**
 * The module `name` built by `emit` for `wasm`'s memory, compiled once per (name, shared) and
 * loaded once per backend.
 * @example const mod = fusedModule(wasm, 'longShort', (m) => emitLongShort(m));
 */
export function fusedModule(wasm: CpuWasm, name: string, emit: (m: ModuleBuilder) => void): CpuWasmModule {
  let modules = loaded.get(wasm);
  if (!modules) {
    modules = new Map();
    loaded.set(wasm, modules);
  }
  let module = modules.get(name);
  if (!module) {
    const key = `${name}:${wasm.shared}`;
    let bytes = compiled.get(key);
    if (!bytes) {
      const builder = kernelModuleBuilder(wasm);
      emit(builder);
      bytes = new WebAssembly.Module(builder.encode());
      compiled.set(key, bytes);
    }
    module = wasm.load(bytes);
    modules.set(name, module);
  }
  return module;
}

/**
 * The byte address of each view's first element, or null when one is not f32 (bool at the indices
 * `bools`) in `wasm`'s memory.
 * @example const pointers = viewPointers(wasm, [...inputs, ...outputs], [5]);
 */
export function viewPointers(wasm: CpuWasm, views: readonly CpuView[], bools: readonly number[] = []): number[] | null {
  const pointers: number[] = [];
  for (const [index, view] of views.entries()) {
    const expected = bools.includes(index) ? 'bool' : 'f32';
    const ptr = view.dtype === expected ? wasm.pointerOf(view.data as object, view.offset) : null;
    if (ptr === null || view.array.byteLength >= 2 ** 31) return null;
    pointers.push(ptr);
  }
  return pointers;
}

/**
 * Rounds a byte count up to a multiple of 16 (a SIMD vector).
 * @example align16(20) // 32
 */
export const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * Calls `body` with the addresses of zero-filled heap blocks of the given byte sizes, then frees
 * them; returns false, without calling it, when the heap cannot hold them.
 * @example if (!withScratch(wasm, [64], ([desc]) => run(desc))) fallback(refreshed(inputs), refreshed(outputs), attrs);
 */
export function withScratch(wasm: CpuWasm, sizes: readonly number[], body: (pointers: number[]) => void): boolean {
  const blocks = sizes.map((bytes) => wasm.alloc('f32', Math.max(1, Math.ceil(bytes / 4))));
  try {
    const pointers = blocks.map((data) => wasm.pointerOf(data));
    if (pointers.includes(null)) return false;
    body(pointers as number[]);
    return true;
  } finally {
    for (const data of blocks) wasm.free(data);
  }
}

/**
 * Writes i32 `values` at byte address `ptr` of `wasm`'s memory.
 * @example writeI32(wasm, desc, [qPtr, kPtr, n]);
 */
export function writeI32(wasm: CpuWasm, ptr: number, values: readonly number[]): void {
  new Int32Array(wasm.memory.buffer, ptr, values.length).set(values);
}

/**
 * Views whose arrays are read again from their storage: an allocation that grows an unshared
 * memory detaches the arrays taken before it (the JS fallback after a failed `withScratch`).
 * @example longShortAttentionCpu(refreshed(inputs), refreshed(outputs), attrs);
 */
export function refreshed(views: readonly CpuView[]): CpuView[] {
  return views.map((view) => ({ ...view, array: (view.data as CpuData).array }));
}
