import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileFormatError, Linear, LayerNorm, Sequential, memory, tensor } from '../index.js';
import { loadSafetensors, loadTorchCheckpoint, saveSafetensors, toSafetensors } from './tensors.js';

const torchFile = (name: string) => fileURLToPath(new URL(`../../test-data/torch/${name}`, import.meta.url));

describe('tensor-level file I/O', () => {
  it('round-trips a state dict through a safetensors file with metadata, atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'longshort-io-'));
    const dict = new Map([['a.weight', tensor([[1, 2], [3, 4]])], ['b', tensor([7, 8, 9], [3], 'i32')], ['empty', tensor([], [0, 4])]]);
    await saveSafetensors(join(dir, 'm.safetensors'), dict, { note: 'hi' });
    const { tensors, metadata } = await loadSafetensors(join(dir, 'm.safetensors'));
    expect(metadata.note).toBe('hi');
    expect([...tensors.keys()].sort()).toEqual(['a.weight', 'b', 'empty']);
    expect(Array.from(await tensors.get('a.weight')!.data())).toEqual([1, 2, 3, 4]);
    expect(tensors.get('b')!.dtype).toBe('i32');
    expect(tensors.get('empty')!.shape).toEqual([0, 4]);
    const bytes = await toSafetensors(dict);
    expect((await loadSafetensors(bytes)).tensors.size).toBe(3);
    for (const t of [...dict.values(), ...tensors.values()]) t.dispose();
  });

  it('loads a real torch.save state dict into a module with the same names and values', async () => {
    const expected = JSON.parse(readFileSync(torchFile('sequential.json'), 'utf8')) as Record<string, { values: number[] }>;
    const dict = await loadTorchCheckpoint(torchFile('sequential.pt'));
    const model = new Sequential(new Linear(4, 3), new LayerNorm(3));
    model.loadStateDict(dict);
    for (const [name, parameter] of model.stateDict()) {
      expect(Array.from(await parameter.data()), name).toEqual(expected[name].values.map((v) => Math.fround(v)));
    }
    for (const t of dict.values()) t.dispose();
    model.dispose();
  });

  it('selects the model of a fairseq-like checkpoint and never runs its globals', async () => {
    const dict = await loadTorchCheckpoint(torchFile('fairseq.pt'), { prefix: 'model' });
    expect(dict.size).toBeGreaterThan(0);
    for (const t of dict.values()) t.dispose();
    await expect(loadTorchCheckpoint(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(FileFormatError);
  });

  it('releases everything it uploaded when a file is bad', async () => {
    const before = memory().liveTensors;
    await expect(loadSafetensors(new Uint8Array(16))).rejects.toBeInstanceOf(FileFormatError);
    expect(memory().liveTensors).toBe(before);
  });
});
