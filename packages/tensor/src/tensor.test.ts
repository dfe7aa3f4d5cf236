import { describe, expect, it } from 'vitest';
import {
  BackendError, DTypeError, DisposedTensorError, ShapeError, Tensor, add, createCpuBackend, exp, fromArray, memory,
  narrow, ones, reshape, tensor, transpose, zeros, type Backend,
} from './index.js';

describe('Tensor reads', () => {
  it('data() and dataSync() return contiguous copies of (strided) values', async () => {
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
    const d = await x.data();
    expect(d).toBeInstanceOf(Float32Array);
    d[0] = 99;
    expect(x.dataSync()[0]).toBe(1);
    const view = narrow(transpose(x), 0, 1, 2); // rows 1..2 of (3,2)
    expect(view.isContiguous).toBe(false);
    expect(Array.from(await view.data())).toEqual([2, 5, 3, 6]);
    expect(Array.from(view.dataSync())).toEqual([2, 5, 3, 6]);
    expect(tensor([1, 2], undefined, 'i32').dataSync()).toBeInstanceOf(Int32Array);
  });

  it('item() reads a one-element tensor and rejects others with a BackendError', async () => {
    expect(await tensor(2.5).item()).toBe(2.5);
    expect(await tensor([[7]]).item()).toBe(7);
    await expect(tensor([1, 2]).item()).rejects.toThrow(BackendError);
    await expect(tensor([1, 2]).item()).rejects.toThrow('item() needs a tensor of one element; expected size 1, got 2.');
  });

  it('toArray() nests values by shape', async () => {
    expect(await tensor(3).toArray()).toBe(3);
    expect(await fromArray([1, 2, 3, 4, 5, 6], [2, 3]).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(await zeros([2, 0]).toArray()).toEqual([[], []]);
    expect(await transpose(fromArray([1, 2, 3, 4], [2, 2])).toArray()).toEqual([[1, 3], [2, 4]]);
  });

  it('describes itself', () => {
    const x = zeros([2, 3], 'i32');
    expect(x.size).toBe(6);
    expect(x.rank).toBe(2);
    expect(x.toString()).toBe('Tensor(i32, (2,3))');
    expect(Tensor.isTensor(x)).toBe(true);
    expect(Tensor.isTensor({ shape: [2, 3] })).toBe(false);
    expect(tensor(1).id).not.toBe(tensor(1).id);
  });

  it('dataSync() throws a BackendError on a backend without synchronous reads', async () => {
    const cpu = createCpuBackend({ name: 'async-only' });
    const asyncOnly: Backend = { ...cpu, capabilities: { ...cpu.capabilities, syncRead: false } };
    const x = ones([2], 'f32', asyncOnly);
    expect(() => x.dataSync()).toThrow(BackendError);
    expect(() => x.dataSync()).toThrow("async-only: dataSync() is not supported on this backend");
    try {
      x.dataSync();
    } catch (error) {
      expect((error as BackendError).code).toBe('SYNC_READ_UNSUPPORTED');
    }
    expect(Array.from(await x.data())).toEqual([1, 1]);
  });
});

describe('Tensor lifetime', () => {
  it('throws DisposedTensorError when a disposed tensor is used, and disposing twice is harmless', async () => {
    const x = tensor([1, 2]);
    const before = memory().liveTensors;
    x.dispose();
    x.dispose();
    expect(memory().liveTensors).toBe(before - 1);
    expect(x.isDisposed).toBe(true);
    expect(() => x.dataSync()).toThrow(DisposedTensorError);
    expect(() => add(x, 1)).toThrow(DisposedTensorError);
    expect(() => exp(x)).toThrow('exp: a tensor argument was already disposed; expected a live tensor, got a disposed one.');
    expect(() => reshape(x, [2, 1])).toThrow(DisposedTensorError);
    expect(() => x.detach()).toThrow(DisposedTensorError);
    await expect(x.data()).rejects.toThrow(DisposedTensorError);
  });

  it('detach() shares storage and carries no gradient history', () => {
    const x = tensor([1, 2]).requireGrad();
    const y = exp(x);
    const d = y.detach();
    expect(d.storage).toBe(y.storage);
    expect(d.requiresGrad).toBe(false);
    expect(d.gradNode).toBeNull();
    x.dispose();
    y.dispose();
    expect(Array.from(d.dataSync())).toEqual([Math.fround(Math.E), Math.fround(Math.exp(2))]);
  });

  it('dispose() releases the gradient too', () => {
    const x = tensor([1, 2]).requireGrad();
    exp(x).backward(tensor([1, 1]));
    const grad = x.grad!;
    x.dispose();
    expect(grad.isDisposed).toBe(true);
    expect(x.grad).toBeNull();
  });
});

describe('Tensor.assign', () => {
  it('replaces the values in place, keeping identity, and consumes the source', () => {
    const p = tensor([1, 2, 3, 4]).requireGrad();
    const id = p.id;
    const before = memory();
    const base = fromArray([5, 6, 7, 8], [2, 2]);
    const source = transpose(base);
    const flat = reshape(source, [4]); // a copy: the transposed view is not viewable as (4,)
    p.assign(flat);
    expect(p.id).toBe(id);
    expect(p.requiresGrad).toBe(true);
    expect(flat.isDisposed).toBe(true);
    expect(Array.from(p.dataSync())).toEqual([5, 7, 6, 8]);
    source.dispose();
    base.dispose();
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(memory().liveBytes).toBe(before.liveBytes);
    p.dispose();
  });

  it('assigns a strided view and reads it back correctly', () => {
    const p = zeros([2, 2]);
    p.assign(transpose(fromArray([1, 2, 3, 4], [2, 2])));
    expect(Array.from(p.dataSync())).toEqual([1, 3, 2, 4]);
  });

  it('rejects a source of another shape or dtype with typed errors', () => {
    const p = zeros([2, 2]);
    expect(() => p.assign(zeros([4]))).toThrow(ShapeError);
    expect(() => p.assign(zeros([4]))).toThrow('assign: source has a different shape; expected (2,2), got (4,).');
    expect(() => p.assign(zeros([2, 2], 'f64'))).toThrow(DTypeError);
    expect(() => p.assign(zeros([2, 2], 'f64'))).toThrow('expected f32, got f64');
    const dead = zeros([2, 2]);
    dead.dispose();
    expect(() => p.assign(dead)).toThrow(DisposedTensorError);
  });
});
