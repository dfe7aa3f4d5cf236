import { describe, expect, it } from 'vitest';
import { ConfigError, DTypeError, Generator, ShapeError, crossEntropy, fromArray, memory, randomInt, tensor, withImpl, type CrossEntropyOptions } from '../../index.js';
import { expectClose, gradcheck } from '../../testing/index.js';

interface ReferenceOptions {
  ignoreIndex: number;
  labelSmoothing: number;
  reduction: 'mean' | 'sum' | 'none';
  weight: number[] | null;
}

/** Float64 reference, written from torch.nn.functional.cross_entropy's definition. */
function crossEntropyReference(logits: number[], targets: number[], classes: number, o: ReferenceOptions): number[] {
  const w = (c: number) => (o.weight ? o.weight[c] : 1);
  const perTarget: number[] = [];
  let total = 0;
  let denominator = 0;
  targets.forEach((t, n) => {
    if (t === o.ignoreIndex) {
      perTarget.push(0);
      return;
    }
    const row = logits.slice(n * classes, (n + 1) * classes);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
    const logP = row.map((v) => v - lse);
    const nll = -w(t) * logP[t];
    const smooth = -logP.reduce((a, lp, c) => a + w(c) * lp, 0);
    const loss = (1 - o.labelSmoothing) * nll + (o.labelSmoothing / classes) * smooth;
    perTarget.push(loss);
    total += loss;
    denominator += w(t);
  });
  if (o.reduction === 'none') return perTarget;
  return [o.reduction === 'sum' ? total : total / denominator];
}

describe('crossEntropy', () => {
  it('matches a float64 reference on random shapes and every option', () => {
    const g = new Generator(61);
    const shapes = [[6, 5], [2, 3, 4], [0, 3], [7], [1, 1]];
    let caseIndex = 0;
    for (const shape of shapes) {
      const classes = shape[shape.length - 1];
      const batch = shape.slice(0, -1);
      const size = shape.reduce((a, b) => a * b, 1);
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        for (const [labelSmoothing, withWeight, ignoreIndex] of [[0, false, -100], [0.1, false, 1], [0.25, true, -100], [0, true, 0]] as const) {
          const logits = Array.from({ length: size }, () => 2 * g.normal());
          const targetTensor = randomInt(batch, 0, classes, { generator: g });
          const targets = Array.from(targetTensor.dataSync());
          const weight = withWeight ? Array.from({ length: classes }, () => 0.1 + g.uniform()) : null;
          const ref = crossEntropyReference(logits, targets, classes, { ignoreIndex, labelSmoothing, reduction, weight });
          const label = `case ${caseIndex++}: ${shape} ${reduction} ε=${labelSmoothing} weight=${withWeight} ignore=${ignoreIndex}`;
          for (const dtype of ['f32', 'f64'] as const) {
            const options: CrossEntropyOptions = { ignoreIndex, labelSmoothing, reduction, weight: weight && fromArray(weight, [classes], dtype) };
            const y = crossEntropy(fromArray(logits, shape, dtype), targetTensor, options);
            expect(y.shape).toEqual(reduction === 'none' ? batch : []);
            expect(y.dtype).toBe(dtype);
            expectClose(y.dataSync(), ref, dtype === 'f32' ? { atol: 1e-5, rtol: 1e-5 } : { atol: 1e-13, rtol: 1e-12 }, `${dtype} ${label}`);
          }
        }
      }
    }
  });

  it('matches values computed by PyTorch', () => {
    // torch 1.13, float64: F.cross_entropy(logits, targets, **options) with the tensors below
    const logits = tensor([[1, 2, 0.5, -1], [0, 0, 0, 0], [3, -2, 1, 0.25], [-0.5, 1.5, 2.5, 0]], undefined, 'f64');
    const targets = tensor([1, 3, -100, 2], undefined, 'i32');
    const weight = tensor([0.5, 2, 1, 0.25], undefined, 'f64');
    const cases: [CrossEntropyOptions, number[]][] = [
      [{}, [0.762258564122015]],
      [{ reduction: 'sum' }, [2.286775692366045]],
      [{ reduction: 'none' }, [0.49518189808585605, 1.3862943611198906, 0, 0.40529943316029815]],
      [{ labelSmoothing: 0.1 }, [0.8622585641220151]],
      [{ labelSmoothing: 0.2, reduction: 'none' }, [0.7701818980858561, 1.3862943611198906, 0, 0.7302994331602982]],
      [{ weight }, [0.5360728675729178]],
      [{ weight, labelSmoothing: 0.3 }, [0.7317989037557963]],
      [{ weight, labelSmoothing: 0.3, reduction: 'none' }, [1.0387745661568455, 0.6324968022609501, 0, 0.7070750687885425]],
      [{ weight, labelSmoothing: 0.1, reduction: 'sum' }, [1.9542733588101013]],
    ];
    for (const [options, expected] of cases) {
      expectClose(crossEntropy(logits, targets, options).dataSync(), expected, { atol: 1e-14, rtol: 1e-13 }, JSON.stringify({ ...options, weight: !!options.weight }));
    }
    const ignoringTwo = tensor([1, 3, 2, 2], undefined, 'i32');
    expectClose(crossEntropy(logits, ignoringTwo, { ignoreIndex: 2, labelSmoothing: 0.1 }).dataSync(), [1.0094881296028735], { atol: 1e-14, rtol: 1e-13 });
  });

  it("gives NaN for 'mean' when every target is ignored or there are none (as PyTorch)", () => {
    const logits = tensor([[1, 2], [3, 4]]);
    expect(Number.isNaN(crossEntropy(logits, tensor([-100, -100], undefined, 'i32')).dataSync()[0])).toBe(true);
    expect(crossEntropy(logits, tensor([-100, -100], undefined, 'i32'), { reduction: 'sum' }).dataSync()[0]).toBe(0);
    const empty = fromArray([], [0, 2]);
    const noTargets = fromArray([], [0], 'i32');
    expect(Number.isNaN(crossEntropy(empty, noTargets).dataSync()[0])).toBe(true);
    expect(crossEntropy(empty, noTargets, { reduction: 'none' }).shape).toEqual([0]);
  });

  it('stays finite with −∞ logits for masked classes that are not targets', () => {
    const logits = tensor([[0, -Infinity, 0], [1, 1, -Infinity]]).requireGrad();
    const loss = crossEntropy(logits, tensor([0, 1], undefined, 'i32'));
    expectClose(loss.dataSync(), [Math.log(2)], { atol: 1e-6 });
    loss.backward();
    expectClose(logits.grad!.dataSync(), [-0.25, 0, 0.25, 0.25, -0.25, 0], { atol: 1e-6 });
    logits.dispose();
  });

  it('passes gradcheck with weights, label smoothing and ignored targets', () => {
    const g = new Generator(62);
    const logits = { values: Array.from({ length: 20 }, () => g.normal()), shape: [5, 4] };
    const targets = { values: [0, 3, -1, 2, 1], shape: [5], dtype: 'i32' as const };
    const weight = { values: [0.3, 1.2, 0.7, 2], shape: [4] };
    gradcheck((x, t) => crossEntropy(x, t, { ignoreIndex: -1 }), [logits, targets]);
    gradcheck((x, t, w) => crossEntropy(x, t, { ignoreIndex: -1, labelSmoothing: 0.2, weight: w }), [logits, targets, weight]);
    gradcheck((x, t) => crossEntropy(x, t, { ignoreIndex: -1, labelSmoothing: 0.1, reduction: 'none' }), [logits, targets]);
    gradcheck((x, t) => crossEntropy(x, t, { ignoreIndex: -1, reduction: 'sum' }), [
      { values: logits.values.slice(0, 16), shape: [2, 2, 4] },
      { values: [0, 3, -1, 1], shape: [2, 2], dtype: 'i32' as const },
    ]);
  });

  it('frees every intermediate', () => {
    const logits = tensor([[1, 2, 3], [0, 1, 0]]);
    const targets = tensor([2, 0], undefined, 'i32');
    const weight = tensor([1, 2, 3]);
    const before = memory().liveTensors;
    const loss = withImpl('composed', () => crossEntropy(logits, targets, { labelSmoothing: 0.1, weight }));
    expect(memory().liveTensors).toBe(before + 1);
    for (const t of [logits, targets, weight, loss]) t.dispose();
  });

  it('validates its arguments', () => {
    const logits = tensor([[1, 2, 3], [0, 1, 0]]);
    const targets = tensor([2, 0], undefined, 'i32');
    expect(() => crossEntropy(logits, tensor([2, 0]))).toThrow(DTypeError);
    expect(() => crossEntropy(tensor([[1, 2]], undefined, 'i32'), tensor([0], undefined, 'i32'))).toThrow(DTypeError);
    expect(() => crossEntropy(logits, tensor([2, 0, 1], undefined, 'i32'))).toThrow(/crossEntropy: targets do not match the logits; expected logits.shape\[:-1\] = \(2,\), got \(3,\)/);
    expect(() => crossEntropy(tensor(1), tensor(0, undefined, 'i32'))).toThrow(ShapeError);
    expect(() => crossEntropy(fromArray([], [2, 0]), targets)).toThrow(/have no class axis/);
    expect(() => crossEntropy(logits, targets, { weight: tensor([1, 2]) })).toThrow(/weight does not have one value per class; expected \(3,\), got \(2,\)/);
    expect(() => crossEntropy(logits, targets, { weight: tensor([1, 2, 3], undefined, 'f64') })).toThrow(DTypeError);
    expect(() => crossEntropy(logits, targets, { labelSmoothing: 1.5 })).toThrow(ConfigError);
    expect(() => crossEntropy(logits, targets, { reduction: 'avg' as 'mean' })).toThrow(/'reduction' is invalid/);
    expect(() => crossEntropy(logits, targets, { ignoreIndex: 0.5 })).toThrow(ConfigError);
    expect(() => crossEntropy(logits, tensor([3, 0], undefined, 'i32'))).toThrow(/crossEntropy: 'targets' is invalid; expected class indices in \[0, 3\) or ignoreIndex \(-100\), got 3 at flat index 0/);
    expect(() => crossEntropy(logits, tensor([0, -1], undefined, 'i32'))).toThrow(ConfigError);
  });
});
