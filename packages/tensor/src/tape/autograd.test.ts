import { describe, expect, it } from 'vitest';
import { add, exp, matmul, memory, mul, sum, tensor, tidy, GradError, reshape, transpose, keep } from '../index.js';

describe('autograd', () => {
  it('computes gradients of a small graph and frees it', async () => {
    const before = memory().liveTensors;
    const x = tensor([[1, 2], [3, 4]]).requireGrad();
    const w = tensor([[0.5], [-1]]).requireGrad();
    tidy(() => {
      const y = sum(exp(matmul(x, w)));
      y.backward();
    });
    // d/dw sum(exp(xw)) = xᵀ exp(xw)
    const e = [Math.exp(0.5 - 2), Math.exp(1.5 - 4)];
    expect(Array.from(await w.grad!.data())).toEqual([
      expect.closeTo(1 * e[0] + 3 * e[1], 5), expect.closeTo(2 * e[0] + 4 * e[1], 5)]);
    expect(Array.from(await x.grad!.data())).toEqual([
      expect.closeTo(0.5 * e[0], 5), expect.closeTo(-e[0], 5), expect.closeTo(0.5 * e[1], 5), expect.closeTo(-e[1], 5)]);
    x.dispose();
    w.dispose();
    expect(memory().liveTensors).toBe(before);
    expect(memory().liveStorages).toBe(0);
  });

  it('throws on a second backward through a freed graph', () => {
    const x = tensor([1, 2]).requireGrad();
    const y = keep(tidy(() => sum(mul(x, x))));
    y.backward();
    expect(() => y.backward()).toThrow(GradError);
    y.dispose();
    x.dispose();
  });

  it('reads strided views', async () => {
    const x = reshape(tensor([1, 2, 3, 4, 5, 6]), [2, 3]);
    const t = transpose(x);
    expect(Array.from(await t.data())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(await add(t, 1).data())).toEqual([2, 5, 3, 6, 4, 7]);
  });
});

import { gradcheck } from '../testing/index.js';
import { div, log, matmul as mm, sqrt } from '../index.js';

describe('gradcheck', () => {
  it('passes for a composite expression', () => {
    gradcheck((a, b) => div(log(add(mul(a, a), 1)), sqrt(add(mm(a, b), 3))), [
      { values: [0.1, -0.4, 0.7, 1.2], shape: [2, 2] },
      { values: [0.3, 0.2, -0.1, 0.5], shape: [2, 2] },
    ]);
  });
});

import { enableGrad, isGradEnabled, noGrad, ones, scalar, tensor as t, where, gt } from '../index.js';
import { expectClose } from '../testing/index.js';

describe('autograd: recording and accumulation', () => {
  it('noGrad records nothing and enableGrad turns recording back on inside it', () => {
    const x = t([1, 2]).requireGrad();
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      const inner = enableGrad(() => mul(x, x));
      expect(inner.requiresGrad).toBe(true);
      inner.dispose();
      return mul(x, x);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradNode).toBeNull();
    expect(() => y.backward(t([1, 1]))).toThrow('backward: the tensor does not require gradients');
    x.dispose();
  });

  it('restores the recording flag when the function throws', () => {
    expect(() => noGrad(() => { throw new Error('x'); })).toThrow('x');
    expect(isGradEnabled()).toBe(true);
  });

  it('sums gradients over every use of a tensor (fan-out) and over repeated backward calls', async () => {
    const x = t([0.5, -1]).requireGrad();
    // y = x² + eˣ + x  →  dy/dx = 2x + eˣ + 1
    const dy = (v: number) => 2 * v + Math.exp(v) + 1;
    tidy(() => sum(add(add(mul(x, x), exp(x)), x)).backward());
    expectClose(await x.grad!.data(), [dy(0.5), dy(-1)], { atol: 1e-6 });
    tidy(() => sum(mul(x, 3)).backward());
    expectClose(await x.grad!.data(), [dy(0.5) + 3, dy(-1) + 3], { atol: 1e-6 });
    x.dispose();
  });

  it('detach() cuts the graph: no gradient flows through the detached branch', () => {
    const x = t([2, 3]).requireGrad();
    tidy(() => sum(mul(x, mul(x, 1).detach())).backward()); // d/dx (x · c) with c = x held constant
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 3]);
    x.dispose();
  });

  it('uses the seed for non-scalar roots and refuses a non-scalar root without one', () => {
    const x = t([1, 2, 3]).requireGrad();
    const y = mul(x, 2);
    expect(() => y.backward()).toThrow(GradError);
    expect(() => y.backward()).toThrow('backward: backward() without a seed needs a scalar; expected size 1, got shape (3,).');
    y.backward(t([1, 0, -1]));
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 0, -2]);
    y.dispose();
    x.dispose();
  });

  it('gives a leaf root its seed as gradient, and no gradient to inputs that do not require it', () => {
    const x = scalar(4).requireGrad();
    x.backward();
    expect(x.grad!.dataSync()[0]).toBe(1);
    const c = t([1, 2]);
    const w = t([3, 4]).requireGrad();
    tidy(() => sum(mul(c, w)).backward());
    expect(c.grad).toBeNull();
    expect(Array.from(w.grad!.dataSync())).toEqual([1, 2]);
    x.dispose();
    w.dispose();
  });

  it('flows through views, where and reductions with the right shapes', () => {
    const x = t([[1, -2, 3], [-4, 5, -6]]).requireGrad();
    tidy(() => sum(where(gt(x, 0), transpose(reshape(transpose(x), [3, 2])), 0)).backward());
    expect(x.grad!.shape).toEqual([2, 3]);
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 0, 1, 0, 1, 0]);
    x.dispose();
  });

  it('frees every saved tensor after backward and the graph with its last output', () => {
    const before = memory().liveTensors;
    const x = ones([3]).requireGrad();
    const y = tidy(() => exp(mul(x, 2)));
    const loss = sum(y);
    loss.backward();
    loss.dispose();
    y.dispose();
    x.dispose();
    expect(memory().liveTensors).toBe(before);
    // a graph that is never differentiated is freed by disposing its outputs
    const z = ones([3]).requireGrad();
    const unused = tidy(() => exp(mul(z, 2)));
    unused.dispose();
    z.dispose();
    expect(memory().liveTensors).toBe(before);
  });

  it('ignores gradients for a leaf disposed before backward', () => {
    const x = t([1, 2]).requireGrad();
    const y = sum(mul(x, x));
    x.dispose();
    expect(() => y.backward()).not.toThrow();
    y.dispose();
  });

  it('is deterministic: the same graph twice gives bit-identical gradients', () => {
    const grads = [0, 1].map(() => {
      const x = t([0.3, -0.7, 1.1]).requireGrad();
      tidy(() => sum(div(log(add(mul(x, x), 1)), sqrt(add(mul(x, x), 3)))).backward());
      const g = Array.from(x.grad!.dataSync());
      x.dispose();
      return g;
    });
    expect(grads[0]).toEqual(grads[1]);
  });
});

