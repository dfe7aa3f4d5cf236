// Autograd and training on WebGPU: gradients of composite functions against the CPU reference, a
// small language-model training run that stays on the GPU (no CPU fallback) and follows the
// reference's losses and parameters, and a 50-step loop whose live buffers and tensors stay flat.
import {
  AdamW, Embedding, Generator, LayerNorm, Linear, Module, clipGradNorm, concat, crossEntropy, fromArray, gelu, getBackend, layerNorm,
  logsumexp, matmul, max, maximum, memory, mul, pad, setBackend, softmax, tanh, tidy, transpose, where, gt,
  type Backend, type Tensor,
} from '@longshort/tensor';
import { expectClose } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { backendForTests, compareGradientsWithReference, reference } from './test-support.js';

const backend = await backendForTests();

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
    // (B, T) → (B, T, 8) → (B, T, 16) → (B, T, 11)
    return tidy(() => this.head.forward(this.ln.forward(gelu(this.fc.forward(this.wte.forward(ids))))));
  }
}

/** Trains TinyLM with AdamW on `target` for `steps` steps; returns the losses, the parameters and a per-step probe. */
async function train(target: Backend, steps: number, probe: (step: number) => Promise<void> = async () => {}) {
  const previous = getBackend();
  setBackend(target);
  try {
    const g = new Generator(5);
    const ids = Array.from({ length: 2 * 6 }, () => Math.floor(g.uniform() * 11));
    const input = fromArray(ids, [2, 6], 'i32');
    const targets = fromArray(ids.map((id) => (id * 3 + 1) % 11), [2, 6], 'i32');
    const model = new TinyLM(new Generator(22));
    const optimizer = new AdamW(model.parameters(), { lr: 1e-2 });
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) {
      const loss = tidy(() => {
        const value = crossEntropy(model.forward(input), targets);
        value.backward();
        return value;
      });
      losses.push((await loss.data())[0]);
      loss.dispose();
      clipGradNorm(model.parameters(), 10).dispose();
      optimizer.step();
      model.zeroGrad();
      await probe(step);
    }
    const parameters = await Promise.all(model.parameters().map((p) => p.data()));
    optimizer.dispose();
    model.dispose();
    input.dispose();
    targets.dispose();
    return { losses, parameters };
  } finally {
    setBackend(previous);
  }
}

describe.skipIf(!backend)('autograd and training on WebGPU', () => {
  const gpu = backend!;
  afterAll(() => gpu.dispose());
  const tolerance = { atol: 1e-4, rtol: 1e-4 };

  it.each<[string, (...inputs: Tensor[]) => Tensor, number[][]]>([
    ['softmax · matmul · gelu', (x, w) => softmax(matmul(gelu(x), w), -1), [[3, 5], [5, 4]]],
    ['layerNorm and logsumexp', (x, w, b) => logsumexp(layerNorm(x, w, b), 1), [[4, 6], [6], [6]]],
    ['max with ties and maximum', (x, y) => maximum(max(x, 1, { keepDims: true }), tanh(y)), [[3, 4], [3, 1]]],
    ['where, pad, concat, transpose', (x, y) => concat([pad(where(gt(x, 0), x, mul(x, 0.1)), [[1, 0], [0, 2]]), transpose(y)], 0), [[2, 3], [5, 4]]],
  ])('gradients of %s match the reference', async (_name, fn, shapes) => {
    await compareGradientsWithReference(gpu, fn, shapes.map((shape) => ({ shape })), tolerance);
  });

  it('trains a tiny language model on the GPU alone, following the reference', async () => {
    const before = { ...gpu.stats().fallbacks };
    const [cpuRun, gpuRun] = [await train(reference, 6), await train(gpu, 6)];
    expect(gpu.stats().fallbacks).toEqual(before);
    expectClose(gpuRun.losses, cpuRun.losses, tolerance, 'losses');
    expect(gpuRun.losses[5]).toBeLessThan(gpuRun.losses[0] - 0.1);
    gpuRun.parameters.forEach((p, i) => expectClose(p, cpuRun.parameters[i], tolerance, `parameter ${i}`));
  });

  it('keeps live buffers and tensors flat over 50 training steps', async () => {
    const liveBuffers: number[] = [];
    const liveTensors: number[] = [];
    const created: number[] = [];
    await train(gpu, 50, async () => {
      await gpu.sync();
      liveBuffers.push(gpu.memoryInfo().liveBuffers);
      liveTensors.push(memory(gpu).liveTensors);
      created.push(gpu.stats().createdBuffers);
    });
    // From the second step on (AdamW's state exists), nothing grows and the pool stops creating.
    expect(new Set(liveBuffers.slice(1)).size).toBe(1);
    expect(new Set(liveTensors.slice(1)).size).toBe(1);
    expect(created[49]).toBe(created[2]);
    await gpu.sync();
    expect(memory(gpu).liveStorages).toBe(0);
    expect(gpu.memoryInfo().liveBuffers).toBe(0);
  }, 120_000);
});
