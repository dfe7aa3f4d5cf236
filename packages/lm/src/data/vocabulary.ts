// Byte-level vocabulary (the enwik8 convention: a text is its raw bytes): the set of byte values
// that occur in the training data, in increasing order, mapped to dense ids 0 … V−1. It is saved
// with each checkpoint so that a model is always read and written with the ids it was trained on.
import { DataError } from './errors.js';

/**
 * A dense byte ↔ id map built from data.
 * @example const vocab = Vocabulary.fromBytes(new TextEncoder().encode('abba')); vocab.encode(bytes) // Int32Array [0, 1, 1, 0]
 */
export class Vocabulary {
  /** The byte value of each id, increasing. */
  readonly bytes: readonly number[];
  readonly #ids: Int32Array;

  constructor(bytes: readonly number[]) {
    const valid = bytes.length > 0 && bytes.every((b, i) => Number.isInteger(b) && b >= 0 && b < 256 && (i === 0 || b > bytes[i - 1]));
    if (!valid) throw new DataError('vocabulary', `is invalid; expected 1 to 256 distinct byte values in increasing order, got [${bytes.slice(0, 8).join(', ')}${bytes.length > 8 ? ', …' : ''}].`);
    this.bytes = [...bytes];
    this.#ids = new Int32Array(256).fill(-1);
    this.bytes.forEach((b, id) => (this.#ids[b] = id));
  }

  /** The vocabulary of every byte value occurring in `data`. @example Vocabulary.fromBytes(fileBytes).size */
  static fromBytes(data: Uint8Array): Vocabulary {
    const seen = new Uint8Array(256);
    for (let i = 0; i < data.length; i++) seen[data[i]] = 1;
    const bytes = [...seen.keys()].filter((b) => seen[b] === 1);
    if (bytes.length === 0) throw new DataError('vocabulary', 'cannot be built from empty data; expected at least one byte, got 0.');
    return new Vocabulary(bytes);
  }

  /** The number of ids V. @example vocab.size // 87 for the Brown corpus */
  get size(): number {
    return this.bytes.length;
  }

  /** Whether byte `b` has an id. @example vocab.has(0x41) */
  has(b: number): boolean {
    return this.#ids[b] >= 0;
  }

  /**
   * Bytes → ids. Throws DataError at the first byte outside the vocabulary, unless `unknown` gives
   * a byte to map it to (which must be in the vocabulary).
   * @example vocab.encode(new TextEncoder().encode('hello'))
   */
  encode(data: Uint8Array, options: { unknown?: number } = {}): Int32Array {
    const fallback = options.unknown === undefined ? -1 : this.#ids[options.unknown] ?? -1;
    if (options.unknown !== undefined && fallback < 0) throw new DataError('vocabulary', `has no byte ${options.unknown} to stand for unknown bytes; expected one of its bytes.`);
    const ids = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const id = this.#ids[data[i]];
      if (id < 0 && fallback < 0) throw new DataError('input', `has byte ${data[i]} at offset ${i}, which is not in the vocabulary; expected one of its ${this.size} bytes.`);
      ids[i] = id < 0 ? fallback : id;
    }
    return ids;
  }

  /** Ids → bytes. @example new TextDecoder().decode(vocab.decode(ids)) */
  decode(ids: ArrayLike<number>): Uint8Array {
    const out = new Uint8Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const b = this.bytes[ids[i]];
      if (b === undefined) throw new DataError('ids', `contain ${ids[i]} at position ${i}; expected ids in [0, ${this.size}).`);
      out[i] = b;
    }
    return out;
  }

  /** The JSON form saved with checkpoints. @example JSON.stringify(vocab.toJSON()) */
  toJSON(): { type: 'bytes'; bytes: number[] } {
    return { type: 'bytes', bytes: [...this.bytes] };
  }

  /** Reads toJSON()'s form back. @example Vocabulary.fromJSON(JSON.parse(text).vocab) */
  static fromJSON(json: unknown): Vocabulary {
    const value = json as { type?: unknown; bytes?: unknown } | null;
    if (value?.type !== 'bytes' || !Array.isArray(value.bytes)) throw new DataError('vocabulary', `JSON is invalid; expected { type: 'bytes', bytes: number[] }, got ${JSON.stringify(json)?.slice(0, 80)}.`);
    return new Vocabulary(value.bytes as number[]);
  }
}
