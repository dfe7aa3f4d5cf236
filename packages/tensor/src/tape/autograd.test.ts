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
