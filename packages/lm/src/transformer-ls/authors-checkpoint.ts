// The authors' checkpoints (NVIDIA transformer-ls `autoregressive/`, spec B.8–B.9): fairseq
// checkpoints (`torch.save({'args', 'model': {'decoder.model.<key>': …}, …})`, fp16 weights upcast),
// plain `torch.save(model.state_dict())` files and safetensors in the authors' key names, read
// without executing anything; the config is inferred from the tensor shapes and the fairseq
// character dictionary (`dict.txt`) is mapped onto a byte Vocabulary. Saving writes safetensors.
import {
  ConfigError, FileFormatError, decodeRaw, flattenStateDict, fromArray, isPickleGlobal, parseSafetensors,
  readTorchCheckpoint, saveSafetensors, toSafetensors, type RawTensor, type Tensor,
} from '@longshort/tensor';
import { DataError } from '../data/errors.js';
import { Vocabulary } from '../data/vocabulary.js';
import { presets, validateTransformerLSConfig, type TransformerLSConfig } from './config.js';
import { TransformerLSModel } from './model.js';
import { INV_FREQ, authorsKey, checkInverseFrequencies, toAuthorsStateDict } from './weights.js';

const NAME = 'readAuthorsCheckpoint';

/** The config fields the tensor shapes determine. */
const SHAPE_FIELDS = ['vocabSize', 'dModel', 'dInner', 'nHead', 'nLayer', 'chunkRank', 'useBias'] as const;

/** The config fields of the authors' model (theirs has long-short attention only). */
type AuthorsField = Exclude<keyof TransformerLSConfig, 'attention'>;

/** The authors' argument names (fairseq `--d-model` → `args.d_model`) of each config field. */
const AUTHORS_ARGS: Readonly<Record<AuthorsField, string>> = {
  vocabSize: 'vocab_size', dModel: 'd_model', dInner: 'd_inner', nHead: 'n_head', nLayer: 'n_layer', memLen: 'mem_len',
  chunkSize: 'chunk_size', chunkRank: 'chunk_rank', windowLen: 'window_len', preLn: 'pre_ln', useGelu: 'use_gelu',
  useBias: 'use_bias', dropout: 'dropout', layerNormEps: 'layer_norm_eps',
};

/**
 * What the shapes cannot tell, when neither the file's args nor the caller give it: the released
 * enwik8/text8 models' values (spec B.1, B.9), dropout off.
 */
const RELEASED = {
  memLen: presets.enwik8Base.memLen, chunkSize: presets.enwik8Base.chunkSize, windowLen: presets.enwik8Base.windowLen,
  preLn: true, useGelu: true, dropout: 0, layerNormEps: 1e-5,
} as const;

/** A tensor decoded on the host (values as float32). */
interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** What readAuthorsCheckpoint found: host tensors in this model's names, the authors' token order. */
export interface AuthorsCheckpoint {
  readonly format: 'fairseq' | 'state-dict' | 'safetensors';
  readonly config: TransformerLSConfig;
  readonly weights: ReadonlyMap<string, HostTensor>;
  /** The vocabulary stored with a file that saveAuthorsCheckpoint wrote. */
  readonly vocab?: Vocabulary;
}

export interface AuthorsLoadOptions {
  /**
   * Config fields the file does not hold (memLen, chunkSize, windowLen, preLn, useGelu: a plain
   * state dict has only shapes). They override the fairseq args; the rest defaults to the released
   * models' values. Shape fields given here must agree with the tensors (else WeightLoadError).
   */
  readonly config?: Partial<TransformerLSConfig>;
  /** The fairseq character dictionary (`dict.txt`): a path (Node) or the file's bytes. */
  readonly dictionary?: string | Uint8Array;
}

/**
 * The config fields found in an authors' argument record (fairseq args, a fixture's or our
 * safetensors' `config` metadata); unknown or mistyped entries are ignored.
 * @example configFromAuthorsArgs({ d_model: 512, pre_ln: true }) // { dModel: 512, preLn: true }
 */
export function configFromAuthorsArgs(args: ReadonlyMap<string, unknown> | Record<string, unknown>): Partial<TransformerLSConfig> {
  const get = (key: string) => (args instanceof Map ? args.get(key) : (args as Record<string, unknown>)[key]);
  const out: Record<string, unknown> = {};
  for (const [field, arg] of Object.entries(AUTHORS_ARGS)) {
    const value = get(arg);
    const expected = typeof (presets.small as Record<string, unknown>)[field];
    if (typeof value === expected) out[field] = value;
  }
  return out as Partial<TransformerLSConfig>;
}

/** Our config under the authors' argument names (the inverse of configFromAuthorsArgs). @example authorsArgs(presets.small).d_model // 128 */
export function authorsArgs(config: TransformerLSConfig): Record<string, number | boolean> {
  return Object.fromEntries(Object.entries(AUTHORS_ARGS).map(([field, arg]) => [arg, config[field as AuthorsField]]));
}

async function readSource(source: string | Uint8Array, what: string): Promise<Uint8Array> {
  if (typeof source !== 'string') return source;
  const { readFile } = await import('node:fs/promises');
  try {
    return new Uint8Array(await readFile(source));
  } catch (cause) {
    throw new FileFormatError('MALFORMED_FILE', what, `'${source}' cannot be read; expected a readable file, got ${(cause as { code?: string }).code ?? cause}.`, { cause });
  }
}

function isSafetensors(bytes: Uint8Array): boolean {
  // An 8-byte header length, then the JSON header's '{' (a zip archive or a pickle has no '{' there).
  return bytes.length >= 9 && bytes[8] === 0x7b && !(bytes[0] === 0x50 && bytes[1] === 0x4b);
}

function decodeAll(raws: Iterable<[string, RawTensor]>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [key, raw] of raws) {
    const { dtype, data } = decodeRaw(raw, { name: key });
    if (dtype !== 'f32') throw new ConfigError(NAME, key, 'a floating-point tensor', `a ${raw.dtype} tensor`);
    out.set(authorsKey(key), { shape: raw.shape, data: data as Float32Array });
  }
  return out;
}

/** The tensors, args and stored vocabulary of a file, by format. */
async function readContents(bytes: Uint8Array) {
  if (isSafetensors(bytes)) {
    const { tensors, metadata } = parseSafetensors(bytes);
    const args = metadata.config === undefined ? {} : configFromAuthorsArgs(JSON.parse(metadata.config) as Record<string, unknown>);
    const vocab = metadata.vocab === undefined ? undefined : Vocabulary.fromJSON(JSON.parse(metadata.vocab));
    return { format: 'safetensors' as const, weights: decodeAll(tensors), args, vocab };
  }
  const { root } = await readTorchCheckpoint(bytes);
  const model: unknown = root instanceof Map ? root.get('model') : undefined;
  if (!(root instanceof Map) || !(model instanceof Map)) return { format: 'state-dict' as const, weights: decodeAll(flattenStateDict(root)), args: {} };
  // NOTE: fairseq's `args` (an argparse.Namespace) is an inert placeholder whose recorded state is
  // plain data; a newer fairseq's omegaconf `cfg` is not interpreted (give the fields in options).
  const args = root.get('args');
  const state = isPickleGlobal(args) && args.state instanceof Map ? configFromAuthorsArgs(args.state) : {};
  return { format: 'fairseq' as const, weights: decodeAll(flattenStateDict(model)), args: state };
}

function requireTensor(weights: ReadonlyMap<string, HostTensor>, key: string, rank: number): HostTensor {
  const tensor = weights.get(key);
  if (tensor === undefined) throw new ConfigError(NAME, key, `a tensor of rank ${rank} (a Transformer-LS state dict)`, 'no such key');
  if (tensor.shape.length !== rank) throw new ConfigError(NAME, key, `a tensor of rank ${rank}`, `shape [${tensor.shape.join(', ')}]`);
  return tensor;
}

/**
 * The config of an authors' state dict: V, D, F, H, r, the layer count and biases from the tensor
 * shapes (spec B.2, B.9); the rest from `known` (args, options), else the released values.
 * @example inferAuthorsConfig(weights, { memLen: 32, windowLen: 16 })
 */
export function inferAuthorsConfig(weights: ReadonlyMap<string, HostTensor>, known: Partial<TransformerLSConfig> = {}): TransformerLSConfig {
  const [vocabSize, dModel] = requireTensor(weights, 'in_emb.weight', 2).shape;
  const nHead = requireTensor(weights, 'layers.0.attn.r_r_bias', 4).shape[1];
  const chunkRank = requireTensor(weights, 'layers.0.attn.dconv_1.weight', 2).shape[0] / nHead;
  const dInner = requireTensor(weights, 'layers.0.ff.fc1.weight', 2).shape[0];
  const nLayer = 1 + Math.max(...[...weights.keys()].map((k) => Number(/^layers\.(\d+)\./.exec(k)?.[1] ?? -1)));
  const useBias = weights.has('layers.0.attn.proj_query.bias');
  const config: TransformerLSConfig = { ...RELEASED, ...known, vocabSize, dModel, dInner, nHead, nLayer, chunkRank, useBias };
  // Shape fields the caller gave win, so that a disagreement surfaces as mis-shaped keys.
  for (const key of SHAPE_FIELDS) {
    if (known[key] !== undefined) (config as unknown as Record<string, unknown>)[key] = known[key];
  }
  validateTransformerLSConfig(config);
  return config;
}

/**
 * Reads an authors' checkpoint (fairseq `.pt`, `torch.save(state_dict)`, or safetensors in the
 * authors' key names; fp16/bf16/f64 values become float32) into host tensors under this model's
 * names, checks `pos_emb.inv_freq` and the tied output embedding, and infers the config.
 * @throws FileFormatError for an unreadable file; ConfigError for a missing or odd tensor.
 * @example const { config, weights } = await readAuthorsCheckpoint('checkpoint_best.pt', { config: { memLen: 2048 } });
 */
export async function readAuthorsCheckpoint(source: string | Uint8Array, options: Pick<AuthorsLoadOptions, 'config'> = {}): Promise<AuthorsCheckpoint> {
  const { format, weights, args, vocab } = await readContents(await readSource(source, 'authors checkpoint'));
  const frequencies = weights.get(INV_FREQ);
  if (frequencies) checkInverseFrequencies(frequencies.data);
  weights.delete(INV_FREQ);
  // NOTE: the file's own shape args are not trusted (fairseq's vocab_size is a default; the real V
  // is the dictionary's length): the tensors decide them.
  const fileArgs = Object.fromEntries(Object.entries(args).filter(([key]) => !(SHAPE_FIELDS as readonly string[]).includes(key)));
  const config = inferAuthorsConfig(weights, { ...fileArgs, ...options.config });
  const embedding = weights.get('in_emb.weight')!;
  const output = weights.get('out_emb.weight');
  if (output && (output.data.length !== embedding.data.length || output.data.some((v, i) => v !== embedding.data[i]))) {
    throw new ConfigError(NAME, 'out_emb.weight', 'the values of in_emb.weight (tied embeddings, spec B.3)', 'different values');
  }
  weights.set('out_emb.weight', embedding);
  return { format, config, weights, vocab };
}

/**
 * The symbols of a fairseq dictionary by token id: fairseq's four specials `<s>`, `<pad>`, `</s>`,
 * `<unk>` (ids 0–3), then one symbol per line of `dict.txt` ("<symbol> <count> [#fairseq:overwrite]").
 * @example parseFairseqDictionary('101 300\n32 200\n') // ['<s>', '<pad>', '</s>', '<unk>', '101', '32']
 */
export function parseFairseqDictionary(text: string): string[] {
  const symbols = ['<s>', '<pad>', '</s>', '<unk>'];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const fields = line.trimEnd().split(' ');
    if (fields.at(-1) === '#fairseq:overwrite') fields.pop();
    if (fields.length < 2 || !/^\d+$/.test(fields.at(-1)!)) {
      throw new DataError('dictionary', `line ${index + 1} is invalid; expected "<symbol> <count>", got ${JSON.stringify(line.slice(0, 40))}.`);
    }
    symbols.push(fields.slice(0, -1).join(' '));
  });
  return symbols;
}

/**
 * The byte a dictionary symbol stands for. enwik8 (`prep_enwik8.py`): every byte is written as its
 * decimal value, except newline, which ends a line, i.e. becomes fairseq's `</s>`. text8
 * (`prep_text8.py`): single characters, space written as `_`. Other specials and fairseq's
 * `madeupword` padding stand for no byte.
 * @example symbolByte('101') // 101
 */
export function symbolByte(symbol: string): number | undefined {
  if (/^\d+$/.test(symbol)) return Number(symbol) < 256 ? Number(symbol) : undefined;
  if (symbol === '</s>') return 10;
  if (symbol === '_') return 32;
  return symbol.length === 1 && symbol.charCodeAt(0) < 128 ? symbol.charCodeAt(0) : undefined;
}

/**
 * Maps a fairseq dictionary (symbols by token id) onto a byte Vocabulary: the ids whose symbol is a
 * byte, ordered by byte value. `ids[k]` is the authors' token id of our id k. A byte two symbols
 * stand for goes to the explicit one (a decimal symbol before `</s>`).
 * @example dictionaryVocabulary(parseFairseqDictionary(text), 208).vocab.size
 */
export function dictionaryVocabulary(symbols: readonly string[], vocabSize: number): { vocab: Vocabulary; ids: Int32Array } {
  if (symbols.length !== vocabSize) {
    throw new ConfigError('dictionary', 'symbols', `${vocabSize} symbols, the embedding's rows (the 4 specials included)`, `${symbols.length}`);
  }
  const idOfByte = new Map<number, number>();
  const order = symbols.map((_, id) => id).sort((a, b) => Number(symbols[a] === '</s>') - Number(symbols[b] === '</s>'));
  for (const id of order) {
    const byte = symbolByte(symbols[id]);
    if (byte !== undefined && !idOfByte.has(byte)) idOfByte.set(byte, id);
  }
  if (idOfByte.size === 0) throw new DataError('dictionary', 'has no symbol that stands for a byte; expected decimal byte values (enwik8) or characters (text8).');
  const bytes = [...idOfByte.keys()].sort((a, b) => a - b);
  return { vocab: new Vocabulary(bytes), ids: Int32Array.from(bytes, (b) => idOfByte.get(b)!) };
}

/** Keeps the vocabulary rows `ids` (in that order) of the token-indexed tensors. */
function selectTokens(weights: ReadonlyMap<string, HostTensor>, ids: Int32Array): Map<string, HostTensor> {
  const out = new Map(weights);
  const embedding = weights.get('in_emb.weight')!;
  const D = embedding.shape[1];
  const rows = new Float32Array(ids.length * D);
  ids.forEach((id, k) => rows.set(embedding.data.subarray(id * D, (id + 1) * D), k * D));
  const selected = { shape: [ids.length, D], data: rows };
  out.set('in_emb.weight', selected);
  out.set('out_emb.weight', selected);
  const bias = weights.get('out_emb.bias');
  if (bias) out.set('out_emb.bias', { shape: [ids.length], data: Float32Array.from(ids, (id) => bias.data[id]) });
  return out;
}

/**
 * Builds the model of an authors' checkpoint and loads its weights (WeightLoadError, naming each
 * key with its expected and actual shape, when they do not fit the config). The vocabulary comes
 * from `options.dictionary`, else from the file (saveAuthorsCheckpoint), else ids are bytes
 * 0 … V−1. With a dictionary only the ids that stand for bytes are kept (symbolByte).
 * NOTE: dropping the specials and `madeupword` rows renormalises the softmax over the bytes; a
 * trained model gives those ids ~0 probability, so log-probs and BPC barely change.
 * @example const { model, vocab } = await loadAuthorsModel('checkpoint_best.pt', { dictionary: 'dict.txt' }); model.eval();
 */
export async function loadAuthorsModel(source: string | Uint8Array, options: AuthorsLoadOptions = {}): Promise<{
  model: TransformerLSModel; vocab: Vocabulary; config: TransformerLSConfig; format: AuthorsCheckpoint['format']; ids: Int32Array;
}> {
  const checkpoint = await readAuthorsCheckpoint(source, options);
  let { config, weights } = checkpoint;
  let vocab = checkpoint.vocab;
  let ids: Int32Array = Int32Array.from({ length: config.vocabSize }, (_, i) => i);
  if (options.dictionary !== undefined) {
    const text = new TextDecoder().decode(await readSource(options.dictionary, 'dictionary'));
    ({ vocab, ids } = dictionaryVocabulary(parseFairseqDictionary(text), config.vocabSize));
    weights = selectTokens(weights, ids);
    config = { ...config, vocabSize: ids.length };
  } else if (vocab === undefined) {
    if (config.vocabSize > 256) throw new ConfigError('loadAuthorsModel', 'dictionary', `the fairseq dict.txt of a ${config.vocabSize}-token vocabulary`, 'none');
    vocab = new Vocabulary([...ids]);
  } else if (vocab.size !== config.vocabSize) {
    throw new ConfigError('loadAuthorsModel', 'vocab', `${config.vocabSize} bytes (the embedding's rows)`, `${vocab.size} bytes`);
  }
  const model = new TransformerLSModel(config);
  const tensors = new Map([...weights].map(([key, t]) => [key, fromArray(t.data, t.shape, 'f32')]));
  try {
    model.loadStateDict(tensors);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return { model, vocab, config, format: checkpoint.format, ids };
}

/**
 * A model as safetensors in the authors' key names (with `pos_emb.inv_freq`, both tied keys), for
 * `TransformerLSModel.load_state_dict(safetensors.torch.load_file(path))`; the metadata holds the
 * config under the authors' argument names (`config`) and the vocabulary (`vocab`), token id k
 * being the vocabulary's k-th byte.
 * @example const bytes = await toAuthorsSafetensors(model, vocab);
 */
export async function toAuthorsSafetensors(model: TransformerLSModel, vocab: Vocabulary): Promise<Uint8Array> {
  const { dict, metadata } = authorsContents(model, vocab);
  try {
    return await toSafetensors(dict, metadata);
  } finally {
    dict.get(INV_FREQ)!.dispose();
  }
}

/** Writes toAuthorsSafetensors' file atomically (Node). @example await saveAuthorsCheckpoint('model.safetensors', model, vocab); */
export async function saveAuthorsCheckpoint(path: string, model: TransformerLSModel, vocab: Vocabulary): Promise<void> {
  const { dict, metadata } = authorsContents(model, vocab);
  try {
    await saveSafetensors(path, dict, metadata);
  } finally {
    dict.get(INV_FREQ)!.dispose();
  }
}

function authorsContents(model: TransformerLSModel, vocab: Vocabulary): { dict: Map<string, Tensor>; metadata: Record<string, string> } {
  if (model.config.attention === 'full') throw new ConfigError('saveAuthorsCheckpoint', 'attention', "'long-short' (the authors' model)", "'full'");
  if (vocab.size !== model.config.vocabSize) throw new ConfigError('saveAuthorsCheckpoint', 'vocab', `${model.config.vocabSize} bytes (the model's vocabSize)`, `${vocab.size} bytes`);
  const metadata = { format: 'pt', config: JSON.stringify(authorsArgs(model.config)), vocab: JSON.stringify(vocab.toJSON()) };
  return { dict: toAuthorsStateDict(model.stateDict(), model.config.dModel), metadata };
}
