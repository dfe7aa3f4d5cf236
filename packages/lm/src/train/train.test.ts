import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, FileFormatError, Generator, WeightLoadError, memory } from '@longshort/tensor';
import { describe, expect, it } from 'vitest';
import { Vocabulary } from '../data/vocabulary.js';
import type { TransformerLSConfig } from '../transformer-ls/config.js';
import { TransformerLSModel } from '../transformer-ls/model.js';
import { disposeCheckpoint, loadCheckpoint, readCheckpointConfig, saveCheckpoint } from './checkpoint.js';
import { lrFactor, train } from './trainer.js';

const tiny: TransformerLSConfig = {
  vocabSize: 7, dModel: 8, dInner: 16, nHead: 2, nLayer: 2, memLen: 8, chunkSize: 2, chunkRank: 2, windowLen: 4,
  preLn: true, useGelu: true, useBias: false, dropout: 0.1, layerNormEps: 1e-5,
};
const random = new Generator(11);
// 2 streams × 3 segments of 4 tokens per epoch: 6 steps cross an epoch boundary (memories reset).
const bytes = Uint8Array.from({ length: 27 }, () => 97 + Math.floor(random.uniform() * 7));
const vocab = new Vocabulary([97, 98, 99, 100, 101, 102, 103]);
const data = vocab.encode(bytes);
const hyper = { batchSize: 2, segmentLength: 4, lr: 1e-2, seed: 5 };
const temporaryDir = () => mkdtemp(join(tmpdir(), 'lm-train-'));

describe('train', () => {
  it('resumes bit-identically: 6 steps = 3 steps + checkpoint + resume + 3 steps (dropout on, epoch boundary crossed)', async () => {
    const baseline = memory().liveTensors;
    const whole = await train({ data, vocab, config: tiny, hyper, steps: 6 });
    expect(whole.losses).toHaveLength(6);
    expect(whole.losses.every(Number.isFinite)).toBe(true);
    const dir = await temporaryDir();
    const first = await train({ data, vocab, config: tiny, hyper, steps: 3, plan: { totalSteps: 6, warmupSteps: 1 }, checkpointDir: dir });
    first.model.dispose();
    const second = await train({ data, vocab, resume: dir, steps: 3, checkpointDir: dir });
    expect([...first.losses, ...second.losses]).toEqual(whole.losses);
    expect(second.step).toBe(6);
    const a = whole.model.stateDict();
    for (const [name, t] of second.model.stateDict()) expect([...t.dataSync()], name).toEqual([...a.get(name)!.dataSync()]);
    whole.model.dispose();
    second.model.dispose();
    expect(memory().liveTensors).toBe(baseline);
  });

  it('writes checkpoints atomically: a step folder, a latest pointer, no temporary leftovers, older folders pruned', async () => {
    const dir = await temporaryDir();
    const result = await train({ data, vocab, config: tiny, hyper, steps: 2, checkpointDir: dir, checkpointEverySeconds: 0 });
    result.model.dispose();
    const entries = (await readdir(dir)).sort();
    expect(entries).toEqual(['latest', 'step-0000002']);
    expect((await readFile(join(dir, 'latest'), 'utf8')).trim()).toBe('step-0000002');
    expect((await readdir(join(dir, 'step-0000002'))).sort()).toEqual(['config.json', 'model.safetensors', 'training.json', 'training.safetensors']);
    const info = await readCheckpointConfig(dir);
    expect(info.config).toEqual(tiny);
    expect(info.vocab.bytes).toEqual(vocab.bytes);
    const ckpt = await loadCheckpoint(dir);
    expect(ckpt.training?.state.step).toBe(2);
    expect(ckpt.training?.state.data).toEqual({ epoch: 0, segment: 2 });
    expect(ckpt.training?.tensors.get('memory.1')?.shape).toEqual([2, 8, 8]);
    disposeCheckpoint(ckpt);
  });

  it('learns: the loss on a periodic sequence falls well below chance', async () => {
    const periodic = Int32Array.from({ length: 200 }, (_, i) => [0, 1, 2, 3, 4, 5, 6, 2, 4][i % 9]);
    const progress: number[] = [];
    const result = await train({
      data: periodic, vocab, config: { ...tiny, dropout: 0 }, hyper: { batchSize: 2, segmentLength: 8, lr: 3e-2 }, steps: 40,
      onProgress: (p) => progress.push(p.fraction),
    });
    expect(progress.at(-1)).toBe(1);
    const first = result.losses[0];
    const last = result.losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(first).toBeGreaterThan(0.9 * Math.log(7));
    expect(last).toBeLessThan(0.5);
    result.model.dispose();
  });

  it('stops after the current step when aborted, still writing a checkpoint', async () => {
    const dir = await temporaryDir();
    const controller = new AbortController();
    const result = await train({ data, vocab, config: tiny, hyper, steps: 5, checkpointDir: dir, signal: controller.signal, onProgress: () => controller.abort() });
    expect(result.losses).toHaveLength(1);
    expect(result.checkpointPath).toBe(join(dir, 'step-0000001'));
    result.model.dispose();
  });

  it('follows a warm-up then cosine schedule over steps or seconds', () => {
    const steps = { warmupSteps: 4, minLrRatio: 0.1, totalSteps: 20 };
    expect(lrFactor(steps, 0, 0)).toBeCloseTo(0.25);
    expect(lrFactor(steps, 3, 0)).toBeCloseTo(1);
    expect(lrFactor(steps, 12, 0)).toBeCloseTo(0.55);
    expect(lrFactor(steps, 25, 0)).toBeCloseTo(0.1);
    const seconds = { warmupSteps: 2, minLrRatio: 0, totalSeconds: 100 };
    expect(lrFactor(seconds, 0, 0)).toBeCloseTo(0.5);
    expect(lrFactor(seconds, 10, 50)).toBeCloseTo(0.5);
    expect(lrFactor(seconds, 10, 150)).toBeCloseTo(0);
  });

  it('rejects bad options and checkpoints that do not fit with typed errors', async () => {
    await expect(train({ data, vocab, config: tiny, hyper })).rejects.toThrow(/a number of steps or a timeBudgetSeconds/);
    await expect(train({ data, vocab, config: { ...tiny, vocabSize: 9 }, hyper, steps: 1 })).rejects.toThrow(ConfigError);
    await expect(train({ data, vocab, config: tiny, hyper: { ...hyper, segmentLength: 3 }, steps: 1 })).rejects.toThrow(/segmentLength/);
    await expect(train({ data, vocab, config: tiny, hyper: { ...hyper, segmentLength: 6 }, steps: 1 })).rejects.toThrow(/multiple of chunkSize 2, and of windowLen 4/);
    await expect(train({ data, vocab, config: tiny, hyper: { ...hyper, batchSize: 8, segmentLength: 4 }, steps: 1 })).rejects.toThrow(/at most 3/);
    const dir = await temporaryDir();
    (await train({ data, vocab, config: tiny, hyper, steps: 1, checkpointDir: dir })).model.dispose();
    await expect(train({ data, vocab, resume: dir, config: { ...tiny, dInner: 32 }, steps: 1 })).rejects.toThrow(/dInner: 16 ≠ 32/);
    await expect(train({ data, vocab, resume: dir, hyper: { batchSize: 1 }, steps: 1 })).rejects.toThrow(/batchSize: 2 ≠ 1/);
    await expect(loadCheckpoint(join(dir, 'nothing'))).rejects.toThrow(FileFormatError);
    // Weights that do not fit the config: a checkpoint written for a wider model.
    const wide = new TransformerLSModel({ ...tiny, dModel: 12 });
    const wrongDir = await temporaryDir();
    await saveCheckpoint(wrongDir, { config: tiny, vocab, weights: wide.stateDict() });
    wide.dispose();
    const ckpt = await loadCheckpoint(wrongDir);
    const model = new TransformerLSModel(ckpt.config);
    expect(() => model.loadStateDict(ckpt.weights)).toThrow(WeightLoadError);
    model.dispose();
    disposeCheckpoint(ckpt);
    await writeFile(join(wrongDir, 'step-0000000', 'config.json'), '{"format": "something else"}');
    await expect(readCheckpointConfig(wrongDir)).rejects.toThrow(/not a version-1 longshort checkpoint/);
  });
});
