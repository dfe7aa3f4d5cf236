// End-to-end training steps on a small model: the memory contract of a step (only parameters and
// optimizer state stay alive) and a loss that goes down.
import { describe, expect, it } from 'vitest';
import {
  AdamW, Embedding, Generator, LayerNorm, Linear, Module, SGD, clipGradNorm, crossEntropy, fromArray, gelu, memory, tidy,
  type Optimizer, type Tensor,
} from '../index.js';

class TinyLM extends Module {
  readonly wte: Embedding;
  readonly fc: Linear;
  readonly ln: LayerNorm;
  readonly head: Linear;

  constructor(g: Generator) {
    super();
    this.wte = new Embedding(11, 8, { generator: g });
    this.fc = new Linear(8, 16, { generator: g });
    this.ln = new LayerNorm(16);
    this.head = new Linear(16, 11, { generator: g });
  }

  forward(ids: Tensor): Tensor {
    return tidy(() => this.head.forward(this.ln.forward(gelu(this.fc.forward(this.wte.forward(ids))))));
  }
}

function data(seed: number) {
  const g = new Generator(seed);
  const ids = Array.from({ length: 2 * 6 }, () => Math.floor(g.uniform() * 11));
  return { ids: fromArray(ids, [2, 6], 'i32'), targets: fromArray(ids.map((id) => (id * 3 + 1) % 11), [2, 6], 'i32') };
}

function trainingRun(makeOptimizer: (model: TinyLM) => Optimizer<{ lr: number }, Record<string, Tensor | number | undefined>>, stateTensorsPerParam: number) {
  const { ids, targets } = data(21);
  const baseline = memory().liveTensors;
  const model = new TinyLM(new Generator(22));
  const opt = makeOptimizer(model);
  const nParams = model.parameters().length;
  expect(nParams).toBe(7);
  expect(memory().liveTensors - baseline).toBe(nParams);
  const losses: number[] = [];
  const live: number[] = [];
  for (let step = 0; step < 6; step++) {
    tidy(() => {
      const loss = crossEntropy(model.forward(ids), targets);
      losses.push(loss.dataSync()[0]);
      loss.backward();
    });
    clipGradNorm(model.parameters(), 10).dispose();
    opt.step();
    model.zeroGrad();
    live.push(memory().liveTensors - baseline);
  }
  expect(live).toEqual(Array.from({ length: 6 }, () => nParams + stateTensorsPerParam * nParams));
  expect(losses[5]).toBeLessThan(losses[0] - 0.1);
  opt.dispose();
  model.dispose();
  ids.dispose();
  targets.dispose();
  expect(memory().liveTensors).toBe(baseline - 2);
}

describe('a full training step', () => {
  it('keeps exactly the parameters and the AdamW state alive, step after step', () => {
    trainingRun((model) => new AdamW(model.parameters(), { lr: 1e-2 }), 2);
  });

  it('keeps exactly the parameters and the SGD momentum buffers alive, step after step', () => {
    trainingRun((model) => new SGD(model.parameters(), { lr: 0.2, momentum: 0.9 }), 1);
  });
});
