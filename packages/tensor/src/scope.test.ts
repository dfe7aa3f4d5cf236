import { describe, expect, it } from 'vitest';
import {
  TensorError, add, createCpuBackend, exp, full, keep, memory, mul, ones, resetPeakBytes, setBackend, getBackend, tensor,
  tidy, type Tensor,
} from './index.js';

/** Runs `fn` on a fresh CPU backend so that counters start at zero and other tests do not interfere. */
function onFreshBackend(fn: () => void | Promise<void>) {
  return async () => {
    const previous = getBackend();
    setBackend(createCpuBackend({ name: 'scope-test' }));
    try {
      await fn();
    } finally {
      setBackend(previous);
    }
  };
}

describe('tidy', () => {
  it('frees every intermediate and keeps what it returns', onFreshBackend(() => {
    const x = ones([4]);
    const y = tidy(() => exp(add(mul(x, 2), 1)));
    expect(memory().liveTensors).toBe(2);
    expect(memory().liveStorages).toBe(2);
    expect(memory().liveBytes).toBe(32);
    expect(x.isDisposed).toBe(false);
    expect(y.isDisposed).toBe(false);
    x.dispose();
    y.dispose();
    expect(memory()).toMatchObject({ liveTensors: 0, liveStorages: 0, liveBytes: 0 });
  }));

  it('keeps tensors returned inside arrays, Maps and plain objects at any depth', onFreshBackend(() => {
    const result = tidy(() => {
      const a = ones([1]);
      const b = ones([1]);
      const c = ones([1]);
      ones([1]); // dropped
      return { list: [a, { nested: b }], map: new Map([['c', c]]) };
    });
    expect(memory().liveTensors).toBe(3);
    for (const t of [result.list[0] as Tensor, (result.list[1] as { nested: Tensor }).nested, result.map.get('c')!]) {
      expect(t.isDisposed).toBe(false);
    }
  }));

  it('moves returned tensors to the enclosing scope, which frees them unless returned again', onFreshBackend(() => {
    let inner: Tensor | null = null;
    const outer = tidy(() => {
      inner = tidy(() => add(ones([2]), 1));
      const kept = tidy(() => ones([3]));
      expect(memory().liveTensors).toBe(2);
      return kept;
    });
    expect(inner!.isDisposed).toBe(true);
    expect(outer.isDisposed).toBe(false);
    expect(memory().liveTensors).toBe(1);
  }));

  it('keep() makes a tensor survive every enclosing scope', onFreshBackend(() => {
    let kept: Tensor | null = null;
    tidy(() => {
      tidy(() => {
        kept = keep(full([2], 5));
        ones([2]);
      });
    });
    expect(kept!.isDisposed).toBe(false);
    expect(Array.from(kept!.dataSync())).toEqual([5, 5]);
    expect(memory().liveTensors).toBe(1);
  }));

  it('frees intermediates and rethrows when the function throws', onFreshBackend(() => {
    expect(() => tidy(() => {
      ones([8]);
      throw new RangeError('inside');
    })).toThrow('inside');
    expect(memory().liveTensors).toBe(0);
  }));

  it('refuses an async function (or any thenable) with a typed error, freeing what it made', onFreshBackend(async () => {
    const run = () => tidy(async () => {
      ones([2]);
      await Promise.resolve();
      return ones([2]);
    });
    expect(run).toThrow(TensorError);
    try {
      run();
    } catch (error) {
      expect(TensorError.isInstance(error)).toBe(true);
      expect((error as TensorError).code).toBe('BAD_ARGUMENT');
      expect((error as Error).message).toContain('tidy: the function returned a Promise; expected a synchronous function, got an async one.');
    }
    // let the async bodies finish: the tensors they create after the await are no scope's
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(memory().liveTensors).toBe(2);
    expect(() => tidy(() => ({ then: () => undefined }))).toThrow(TensorError);
  }));

  it('leaves input tensors alone and returns non-tensor values unchanged', onFreshBackend(() => {
    const x = ones([2]);
    expect(tidy(() => x)).toBe(x);
    expect(tidy(() => add(x, x).dataSync()[0])).toBe(2);
    expect(memory().liveTensors).toBe(1);
    expect(x.isDisposed).toBe(false);
  }));
});

describe('dispose and using', () => {
  it('disposing twice is harmless and views free storage only with the last holder', onFreshBackend(() => {
    const x = ones([4]);
    const v = x.detach();
    x.dispose();
    x.dispose();
    expect(memory()).toMatchObject({ liveTensors: 1, liveStorages: 1, liveBytes: 16 });
    v.dispose();
    expect(memory()).toMatchObject({ liveTensors: 0, liveStorages: 0, liveBytes: 0 });
  }));

  it('`using` declarations dispose at the end of the block, also across awaits', onFreshBackend(async () => {
    let seen: Tensor | null = null;
    {
      using t = tensor([1, 2, 3]);
      seen = t;
      expect(memory().liveTensors).toBe(1);
    }
    expect(seen!.isDisposed).toBe(true);
    const total = await (async () => {
      using a = ones([3]);
      using b = add(a, 1);
      return Array.from(await b.data()).reduce((p, q) => p + q, 0);
    })();
    expect(total).toBe(6);
    expect(memory().liveTensors).toBe(0);
  }));
});

describe('memory counters', () => {
  it('track live tensors, bytes and the peak, per backend', onFreshBackend(() => {
    const a = ones([10]); // 40 bytes
    const b = ones([5], 'f64'); // 40 bytes
    expect(memory()).toMatchObject({ liveTensors: 2, liveStorages: 2, liveBytes: 80, peakBytes: 80 });
    a.dispose();
    expect(memory()).toMatchObject({ liveBytes: 40, peakBytes: 80 });
    resetPeakBytes();
    expect(memory().peakBytes).toBe(40);
    tidy(() => add(ones([25], 'i32'), 1)).dispose(); // 100 + 4 (scalar) + 100 bytes at the peak
    expect(memory().peakBytes).toBe(244);
    expect(memory().liveBytes).toBe(40);
    const other = createCpuBackend({ name: 'other' });
    ones([100], 'f32', other);
    expect(memory(other).liveBytes).toBe(400);
    expect(memory().liveBytes).toBe(40);
    expect(typeof memory().backend.heldBytes).toBe('number'); // what the backend itself holds (pools, scratch)
    b.dispose();
  }));
});
