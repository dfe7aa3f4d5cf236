// Reference-counted backend storage shared by a tensor and its views.
import type { Backend, DataId } from './backend/spec.js';
import { bytesPerElement, type DType } from './dtype.js';
import { countAlloc, countFree } from './memory.js';

export class Storage {
  private refs = 1;
  readonly bytes: number;

  constructor(readonly backend: Backend, readonly data: DataId, readonly dtype: DType, readonly size: number) {
    this.bytes = size * bytesPerElement(dtype);
    countAlloc(backend, this.bytes);
  }

  static allocate(backend: Backend, dtype: DType, size: number): Storage {
    return new Storage(backend, backend.alloc(dtype, size), dtype, size);
  }

  get isFreed(): boolean {
    return this.refs === 0;
  }

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (this.refs === 0) return;
    if (--this.refs === 0) {
      this.backend.free(this.data);
      countFree(this.backend, this.bytes);
    }
  }
}
