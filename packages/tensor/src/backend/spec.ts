// Backend specification v1 (architecture guide B.4): storage kept apart from maths, as in tfjs's
// KernelBackend, and small like tinygrad's Allocator/Program split. Changing it is a major change.
import type { AnyTypedArray, DType } from '../dtype.js';

/** An opaque handle to backend memory (a typed array on the CPU, a GPUBuffer on WebGPU). */
export type DataId = object;

/** What a kernel receives for each input and output: storage plus a strided layout (element units). */
export interface TensorView {
  readonly data: DataId;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface BackendCapabilities {
  /** Dtypes this backend can store and compute with. */
  readonly dtypes: readonly DType[];
  /** Whether `readSync` works. */
  readonly syncRead: boolean;
  /** Backend-specific facts (adapter info, limits, thread count…). */
  readonly info: Readonly<Record<string, unknown>>;
}

/** Memory held by the backend beyond tensor storage (pools, scratch), for the counters. */
export interface BackendMemoryInfo {
  /** Bytes the backend holds in total, pooled and scratch memory included. */
  readonly heldBytes: number;
  readonly [key: string]: number;
}

export interface Backend {
  readonly specificationVersion: 'v1';
  readonly name: string;
  readonly capabilities: BackendCapabilities;

  /** Allocates storage for `size` elements of `dtype` (contents undefined). */
  alloc(dtype: DType, size: number): DataId;
  free(data: DataId): void;
  /** Copies host values into storage, starting at element `offset`. */
  write(data: DataId, values: AnyTypedArray, offset?: number): void;
  /** Reads `size` elements from element `offset` into a fresh host array. */
  read(data: DataId, dtype: DType, offset: number, size: number): Promise<AnyTypedArray>;
  /** Synchronous read, only where `capabilities.syncRead`. */
  readSync?(data: DataId, dtype: DType, offset: number, size: number): AnyTypedArray;

  /** Runs the kernel registered for `op`; outputs are freshly allocated contiguous views. */
  run(op: string, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: object): void;
  hasKernel(op: string): boolean;
  /** Whether the kernel for `op` accepts inputs of any strides (else inputs are made contiguous first). */
  acceptsStrided?(op: string): boolean;

  /** Resolves when all submitted work has finished. */
  sync(): Promise<void>;
  memoryInfo(): BackendMemoryInfo;
  dispose(): void;
}
