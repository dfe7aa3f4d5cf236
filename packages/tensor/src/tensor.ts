// The Tensor: a shape, a dtype and a strided view over reference-counted backend storage.
// Reads are asynchronous (`await t.data()`); `dataSync()` works only where the backend can.
// NOTE: the imports of contiguous and backward form a cycle with the ops (which import Tensor);
// every use on either side happens at call time, never while modules evaluate.
import type { Backend } from './backend/spec.js';
import type { AnyTypedArray, DType, TypedArrayFor } from './dtype.js';
import { BackendError, DisposedTensorError, DTypeError, ShapeError, formatShape } from './errors/index.js';
import { statsFor } from './memory.js';
import { setTensorCheck, trackTensor, untrackTensor } from './scope.js';
import { contiguousStrides, isContiguous, shapesEqual, sizeOf } from './shape.js';
import type { Storage } from './storage.js';
import { contiguous } from './ops/contiguous/contiguous.js';
import { backward } from './tape/backward.js';
import { noGrad } from './tape/grad-mode.js';
import type { GradNode } from './tape/grad-node.js';

const tensorMarker = Symbol.for('@longshort/tensor.Tensor');
let nextId = 1;

export class Tensor<D extends DType = DType> {
  readonly [tensorMarker] = true;
  readonly id = nextId++;
  /** Whether gradients flow to/through this tensor. Set on leaves with requireGrad(). */
  requiresGrad = false;
  /** The accumulated gradient of a leaf after backward(). Owned by this tensor. */
  grad: Tensor | null = null;
  /** The op that produced this tensor under gradient recording (null for leaves). */
  gradNode: GradNode | null = null;
  gradSlot = 0;
  private disposed = false;

  /** @internal Use the creation ops (tensor, zeros, …); this wraps existing storage. */
  constructor(
    public storage: Storage,
    readonly shape: readonly number[],
    readonly dtype: D,
    readonly strides: readonly number[] = contiguousStrides(shape),
    readonly offset = 0,
    track = true,
  ) {
    statsFor(storage.backend).liveTensors++;
    if (track) trackTensor(this);
  }

  static isTensor(value: unknown): value is Tensor {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[tensorMarker] === true;
  }

  get backend(): Backend {
    return this.storage.backend;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** Throws DisposedTensorError when disposed. */
  assertAlive(op: string): void {
    if (this.disposed) throw new DisposedTensorError(op);
  }

  /** Marks this leaf as requiring gradients (parameters). Returns this. */
  requireGrad(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }

  /** Contiguous copy of the values (f16 tensors give their raw half-precision bits). */
  async data(): Promise<TypedArrayFor<D>> {
    this.assertAlive('data');
    return (await withContiguous(this, (t) => t.backend.read(t.storage.data, t.dtype, t.offset, t.size))) as TypedArrayFor<D>;
  }

  /** Synchronous read; throws BackendError('SYNC_READ_UNSUPPORTED') on backends that cannot. */
  dataSync(): TypedArrayFor<D> {
    this.assertAlive('dataSync');
    const backend = this.backend;
    if (!backend.readSync || !backend.capabilities.syncRead) {
      throw new BackendError('SYNC_READ_UNSUPPORTED', backend.name, 'dataSync() is not supported on this backend; expected an async read, got a sync one.\nHint: use `await t.data()`.');
    }
    return withContiguous(this, (t) => backend.readSync!(t.storage.data, t.dtype, t.offset, t.size)) as TypedArrayFor<D>;
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    const values = await this.data();
    if (values.length !== 1) throw new BackendError('BACKEND_MISMATCH', 'item', `item() needs a tensor of one element; expected size 1, got ${values.length}.`);
    return values[0];
  }

  /** The values as nested arrays of numbers. */
  async toArray(): Promise<unknown> {
    return nest(Array.from(await this.data() as ArrayLike<number>), this.shape);
  }

  /** Runs reverse-mode autodiff from this tensor (a scalar unless `seed` is given). */
  backward(seed?: Tensor): void {
    backward(this, seed);
  }

  /** A tensor sharing this one's storage, cut from the autograd graph. */
  detach(): Tensor<D> {
    this.assertAlive('detach');
    return new Tensor(this.storage.retain(), this.shape, this.dtype, this.strides, this.offset);
  }

  /** Releases this tensor's hold on its storage and graph. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    statsFor(this.storage.backend).liveTensors--;
    untrackTensor(this);
    this.storage.release();
    this.grad?.dispose();
    this.grad = null;
    const node = this.gradNode;
    this.gradNode = null;
    node?.release();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Replaces this tensor's values with `source`'s (same shape and dtype), keeping its identity,
   * name and gradient settings: how optimizers update parameters. `source` is consumed.
   */
  assign(source: Tensor): void {
    this.assertAlive('assign');
    source.assertAlive('assign');
    if (!shapesEqual(source.shape, this.shape)) throw new ShapeError('SHAPE_MISMATCH', 'assign', 'source', 'has a different shape', formatShape(this.shape), formatShape(source.shape));
    if (source.dtype !== this.dtype) throw new DTypeError('DTYPE_MISMATCH', 'assign', 'source', this.dtype, source.dtype);
    const old = this.storage;
    this.storage = source.storage.retain();
    (this as { strides: readonly number[] }).strides = source.strides;
    (this as { offset: number }).offset = source.offset;
    old.release();
    source.dispose();
  }

  toString(): string {
    return `Tensor(${this.dtype}, (${this.shape.join(',')}))`;
  }
}

setTensorCheck(Tensor.isTensor);

function nest(values: number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return values[0];
  const [head, ...rest] = shape;
  const step = sizeOf(rest);
  return Array.from({ length: head }, (_, i) => nest(values.slice(i * step, (i + 1) * step), rest));
}

function withContiguous<R>(t: Tensor, read: (t: Tensor) => R): R {
  if (t.isContiguous) return read(t);
  const c = noGrad(() => contiguous(t));
  try {
    const result = read(c);
    if (result instanceof Promise) return result.finally(() => c.dispose()) as R;
    c.dispose();
    return result;
  } catch (error) {
    c.dispose();
    throw error;
  }
}

export type { AnyTypedArray };
