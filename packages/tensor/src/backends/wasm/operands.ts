// Kernel operands as heap addresses: tensors of the fast backend are read in place; storage from
// elsewhere (host arrays, as the WebGPU backend's CPU fallback passes) is copied into temporary
// heap blocks for the call, and outputs are copied back.
import type { CpuView } from '../cpu/cpu-kernel.js';
import type { WasmRuntime } from './runtime.js';

/**
 * Calls `body` with the byte address of element 0 of each input's and output's storage (add
 * `offset · 4` for a view's first element); returns false, without calling it, when the heap is full
 * or a tensor is too large for 32-bit signed offsets (2 GiB).
 * @example withHeapPointers(rt, [x], [out], ([xp], [op]) => run(xp + x.offset * 4, op));
 */
export function withHeapPointers(rt: WasmRuntime, inputs: readonly CpuView[], outputs: readonly CpuView[],
  body: (inputs: number[], outputs: number[]) => void): boolean {
  // NOTE: the kernels compare byte offsets as signed 32-bit integers: larger tensors take the reference path.
  if ([...inputs, ...outputs].some((v) => v.array.byteLength >= 2 ** 31)) return false;
  const temporaries: { ptr: number; bytes: number }[] = [];
  const copies: { view: CpuView; ptr: number }[] = [];
  const resolve = (view: CpuView, isOutput: boolean): number | null => {
    const own = rt.pointerOf(view.data);
    if (own !== null) return own;
    const array = view.array;
    const ptr = rt.heap.alloc(array.byteLength);
    if (ptr === null) return null;
    temporaries.push({ ptr, bytes: array.byteLength });
    if (isOutput) copies.push({ view, ptr });
    else new Uint8Array(rt.memory.buffer, ptr, array.byteLength).set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return ptr;
  };
  try {
    const inputPointers = inputs.map((v) => resolve(v, false));
    const outputPointers = outputs.map((v) => resolve(v, true));
    if (inputPointers.includes(null) || outputPointers.includes(null)) return false;
    body(inputPointers as number[], outputPointers as number[]);
    for (const { view, ptr } of copies) {
      const array = view.array;
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(new Uint8Array(rt.memory.buffer, ptr, array.byteLength));
    }
    return true;
  } finally {
    for (const t of temporaries) rt.heap.free(t.ptr, t.bytes);
  }
}
