import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ConfigError, FileFormatError, Generator, WeightLoadError, f16BitsToF32, f32ToF16Bits, fromArray, getBackend, memory,
  parseSafetensors, serializeSafetensors, encodeRaw, tidy,
} from '@longshort/tensor';
import { loadFixture, type Fixture } from '@longshort/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../data/errors.js';
import { configFromFixture } from '../testing/fixture-config.js';
import { fixtureHandler } from '../testing/fixture-handler.js';
import {
  dictionaryVocabulary, loadAuthorsModel, parseFairseqDictionary, readAuthorsCheckpoint, symbolByte, toAuthorsSafetensors,
  type AuthorsCheckpoint,
} from './authors-checkpoint.js';

const file = (name: string) => fileURLToPath(new URL(`../../test-data/${name}`, import.meta.url));
const fixture = loadFixture(readFileSync(fileURLToPath(new URL('../../../../fixtures/reference/causal-lm-small.safetensors', import.meta.url))));
const fixtureConfig = configFromFixture(fixture.config);
/** What a plain state dict cannot tell (the fixture's lengths differ from the released models'). */
const lengths = { memLen: fixtureConfig.memLen, windowLen: fixtureConfig.windowLen };
afterAll(() => {
  for (const t of fixture.tensors.values()) t.dispose();
});

/** The fixture with its parameters replaced by a checkpoint's, run by the causal-lm handler. */
async function runWith(checkpoint: AuthorsCheckpoint) {
  const tensors = new Map([...fixture.tensors].filter(([name]) => /^(input|output|grad)\./.test(name)));
  const weights = [...checkpoint.weights].map(([key, t]) => [key, fromArray(t.data, t.shape, 'f32')] as const);
  const replaced: Fixture = { ...fixture, tensors: new Map([...tensors, ...weights]) };
  try {
    return await fixtureHandler.run(replaced, getBackend());
  } finally {
    for (const [, t] of weights) t.dispose();
  }
}

function expectFixtureParameters(checkpoint: AuthorsCheckpoint, round: (v: number) => number) {
  const names = [...fixture.tensors.keys()].filter((n) => !/^(input|output|grad)\.|inv_freq/.test(n));
  expect([...checkpoint.weights.keys()].sort()).toEqual(names.sort());
  for (const name of names) {
    const expected = Float32Array.from(fixture.tensors.get(name)!.dataSync() as Float32Array, round);
    expect(checkpoint.weights.get(name)!.data, name).toEqual(expected);
  }
}

describe('readAuthorsCheckpoint', () => {
  it('reads torch.save(state_dict) of the fixture model and reproduces the fixture', async () => {
    const checkpoint = await readAuthorsCheckpoint(file('causal-lm-small.state-dict.pt'), { config: lengths });
    expect(checkpoint.format).toBe('state-dict');
    expect(checkpoint.config).toEqual(fixtureConfig);
    expectFixtureParameters(checkpoint, (v) => v);
    const { outputs, gradients } = await runWith(checkpoint);
    expect(outputs.length).toBe(8);
    for (const o of outputs) expect(o.relError, o.name).toBeLessThan(1e-4);
    for (const g of gradients) expect(g.relError, g.name).toBeLessThan(1e-3);
  });

  it('reads a fairseq fp16 checkpoint: decoder.model. keys, lengths from its args, values upcast exactly', async () => {
    const checkpoint = await readAuthorsCheckpoint(file('causal-lm-small.fairseq.pt'));
    expect(checkpoint.format).toBe('fairseq');
    expect(checkpoint.config).toEqual({ ...fixtureConfig, dropout: 0.2 });
    expectFixtureParameters(checkpoint, (v) => f16BitsToF32(f32ToF16Bits(v)));
    // NOTE: fp16 weights (relative rounding up to 2^-11) move the outputs by ~5e-4 of their scale.
    const { outputs } = await runWith(checkpoint);
    for (const o of outputs) expect(o.relError, o.name).toBeLessThan(2e-3); // measured 5.1e-4
  });

  it('round-trips our safetensors in the authors\' key names (config and vocabulary in the metadata)', async () => {
    const before = memory().liveTensors;
    const { model, vocab } = await loadAuthorsModel(file('causal-lm-small.state-dict.pt'), { config: lengths });
    expect(vocab.bytes).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const bytes = await toAuthorsSafetensors(model, vocab);
    model.dispose();
    expect(memory().liveTensors).toBe(before);
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(tensors.has('pos_emb.inv_freq') && tensors.has('out_emb.weight')).toBe(true);
    expect(JSON.parse(metadata.config)).toMatchObject({ d_model: 64, mem_len: 32, window_len: 16, chunk_size: 16, pre_ln: true });
    const checkpoint = await readAuthorsCheckpoint(bytes);
    expect([checkpoint.format, checkpoint.config, checkpoint.vocab?.bytes]).toEqual(['safetensors', fixtureConfig, vocab.bytes]);
    const { outputs } = await runWith(checkpoint);
    for (const o of outputs) expect(o.relError, o.name).toBeLessThan(1e-4);
  });

  it('names the key, expected and actual shape when a checkpoint does not fit', async () => {
    const path = file('causal-lm-small.state-dict.pt');
    const misfit = loadAuthorsModel(path, { config: { ...lengths, nHead: 8 } });
    await expect(misfit).rejects.toThrow(WeightLoadError);
    await expect(misfit).rejects.toThrow("key 'layers.0.attn.r_r_bias' has shape (1,4,1,16); expected (1,8,1,8)");
    const raw = (values: number[], shape: number[]) => encodeRaw('f32', Float32Array.from(values), shape);
    const noEmbedding = serializeSafetensors({ 'layers.0.norm1.weight': raw([1, 1], [2]) });
    await expect(readAuthorsCheckpoint(noEmbedding)).rejects.toThrow(/'in_emb.weight' is invalid; .*got no such key/);
    const untied = serializeSafetensors({
      'in_emb.weight': raw([1, 2, 3, 4], [2, 2]), 'out_emb.weight': raw([1, 2, 3, 5], [2, 2]),
      'layers.0.attn.r_r_bias': raw([0, 0], [1, 2, 1, 1]), 'layers.0.attn.dconv_1.weight': raw([0, 0, 0, 0], [2, 2]),
      'layers.0.ff.fc1.weight': raw([0, 0, 0, 0], [2, 2]),
    });
    await expect(readAuthorsCheckpoint(untied, { config: { memLen: 4, windowLen: 2, chunkSize: 2 } })).rejects.toThrow(ConfigError);
    await expect(readAuthorsCheckpoint(untied, { config: { memLen: 4, windowLen: 2, chunkSize: 2 } })).rejects.toThrow(/out_emb.weight.*tied/);
    const badFreq = serializeSafetensors({ 'pos_emb.inv_freq': raw([1, 0.5], [2]) });
    await expect(readAuthorsCheckpoint(badFreq)).rejects.toThrow(/pos_emb.inv_freq/);
    await expect(readAuthorsCheckpoint(new Uint8Array([1, 2, 3]))).rejects.toThrow(FileFormatError);
    await expect(readAuthorsCheckpoint('/nonexistent/model.pt')).rejects.toThrow(/cannot be read/);
  });
});

describe('fairseq dictionary', () => {
  it('parses dict.txt after the four specials and maps enwik8/text8 symbols to bytes', () => {
    expect(parseFairseqDictionary('101 30\n32 20 #fairseq:overwrite\n\nmadeupword0000 0\n')).toEqual(['<s>', '<pad>', '</s>', '<unk>', '101', '32', 'madeupword0000']);
    expect(() => parseFairseqDictionary('101 30\n32\n')).toThrow(DataError);
    expect(() => parseFairseqDictionary('101 30\n32\n')).toThrow(/line 2 is invalid/);
    expect([symbolByte('0'), symbolByte('255'), symbolByte('256'), symbolByte('</s>'), symbolByte('_'), symbolByte('a'), symbolByte('<unk>'), symbolByte('madeupword0001'), symbolByte('é')])
      .toEqual([0, 255, undefined, 10, 32, 97, undefined, undefined, undefined]);
    const { vocab, ids } = dictionaryVocabulary(['<s>', '<pad>', '</s>', '<unk>', '98', '10', '97', 'madeupword0000'], 8);
    expect([vocab.bytes, [...ids]]).toEqual([[10, 97, 98], [5, 6, 4]]);
    expect(() => dictionaryVocabulary(['<s>', '<pad>', '</s>', '<unk>'], 8)).toThrow(/expected 8 symbols/);
  });

  it('keeps the byte ids of a fairseq model in byte order: its log-probs renormalised over them', async () => {
    const before = memory().liveTensors;
    const mapped = await loadAuthorsModel(file('causal-lm-small.fairseq.pt'), { dictionary: file('dict.txt') });
    const full = await loadAuthorsModel(file('causal-lm-small.fairseq.pt'));
    const symbols = parseFairseqDictionary(readFileSync(file('dict.txt'), 'utf8'));
    expect(mapped.vocab.size).toBe(34); // 33 byte symbols + </s> as newline
    expect(mapped.vocab.has(10) && mapped.vocab.bytes.every((b, k) => symbolByte(symbols[mapped.ids[k]]) === b)).toBe(true);
    expect(full.vocab.size).toBe(40);
    const random = new Generator(7);
    const T = 32;
    const ours = Int32Array.from({ length: T }, () => Math.floor(random.uniform() * mapped.vocab.size));
    const [a, b] = [mapped, full].map(({ model }, i) => {
      model.eval();
      const tokens = fromArray(i === 0 ? ours : Int32Array.from(ours, (k) => mapped.ids[k]), [1, T], 'i32');
      const out = tidy(() => model.forward(tokens, model.initialMemories(1)));
      const values = out.logProbs.dataSync() as Float32Array;
      for (const t of [tokens, out.logProbs, ...out.memories]) t.dispose();
      return values;
    });
    const V = 40;
    const K = mapped.vocab.size;
    let worst = 0;
    for (let t = 0; t < T; t++) {
      const kept = Array.from(mapped.ids, (id) => b[t * V + id]);
      const max = Math.max(...kept);
      const norm = max + Math.log(kept.reduce((s, v) => s + Math.exp(v - max), 0));
      for (let k = 0; k < K; k++) worst = Math.max(worst, Math.abs(a[t * K + k] - (kept[k] - norm)));
    }
    expect(worst).toBeLessThan(1e-4);
    mapped.model.dispose();
    full.model.dispose();
    expect(memory().liveTensors).toBe(before);
  });
});
