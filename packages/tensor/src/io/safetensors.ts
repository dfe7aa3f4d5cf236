// The safetensors file format (https://github.com/huggingface/safetensors#format): an 8-byte
// little-endian u64 header length N, N bytes of UTF-8 JSON header (`{"name": {"dtype", "shape",
// "data_offsets": [begin, end]}, "__metadata__": {string: string}}`, space-padded), then the tensor
// data, which the offsets (relative to the end of the header) must cover exactly, without overlap.

import { FileFormatError, TensorError } from '../errors/index.js';
import { writeFileAtomic } from './atomic-write.js';
import { readByteSource, type ByteSource } from './byte-source.js';
import { FILE_DTYPE_SIZES, isFileDType, numelOf, type FileDType, type RawTensor } from './raw-tensor.js';

/** The contents of a safetensors file. */
export interface SafetensorsContents {
  /** The `__metadata__` string map (empty when the file has none). */
  metadata: Record<string, string>;
  /** The tensors in file (data offset) order. */
  tensors: Map<string, RawTensor>;
}

/** Tensors to write, by name, in the order they are laid out in the file. */
export type NamedRawTensors = Map<string, RawTensor> | Record<string, RawTensor>;

const FORMAT = 'safetensors';
const METADATA_KEY = '__metadata__';

interface HeaderEntry {
  name: string;
  dtype: FileDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file, validating the whole header against the data. The returned tensors'
 * bytes are views into `bytes` (no copy).
 *
 * @throws FileFormatError `MALFORMED_FILE` naming the first problem found: a file shorter than 8
 *   bytes, a header length beyond the file, a header that is not UTF-8 JSON of an object, an unknown
 *   dtype, a bad shape, offsets out of range, overlapping or with gaps, a byte count that does not
 *   match shape × item size, or non-string metadata.
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.length < 8) throw malformed(`file is too short to hold the header length; expected at least 8 bytes, got ${bytes.length}.`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw malformed(`header length runs past the end of the file; expected at most ${bytes.length - 8} bytes, got ${headerLength}.`);
  }
  const dataStart = 8 + Number(headerLength);
  const header = parseHeaderJson(bytes.subarray(8, dataStart));
  const dataLength = bytes.length - dataStart;
  const metadata = parseMetadata(header[METADATA_KEY]);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, info]) => parseEntry(name, info, dataLength))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = 'the start of the data';
  for (const entry of entries) {
    if (entry.begin !== cursor) {
      const problem = entry.begin < cursor ? `overlaps ${previous}` : `leaves a gap after ${previous}`;
      throw malformed(`tensor "${entry.name}" data ${problem}; expected data_offsets to begin at ${cursor}, got ${entry.begin}.`);
    }
    cursor = entry.end;
    previous = `tensor "${entry.name}"`;
  }
  if (cursor !== dataLength) {
    throw malformed(`data section has bytes no tensor covers; expected ${cursor} data bytes, got ${dataLength}.`);
  }
  const tensors = new Map<string, RawTensor>();
  for (const { name, dtype, shape, begin, end } of entries) {
    tensors.set(name, { dtype, shape, bytes: bytes.subarray(dataStart + begin, dataStart + end) });
  }
  return { metadata, tensors };
}

/**
 * Serializes tensors (and an optional `__metadata__` string map) as a safetensors file: the header
 * lists the tensors in the given order, is padded with spaces to a multiple of 8 bytes, and the
 * data follows in the same order.
 *
 * @throws TensorError `BAD_ARGUMENT` for a tensor named `__metadata__`, an unknown dtype, an invalid
 *   shape, bytes that do not match shape × item size, or non-string metadata.
 */
export function serializeSafetensors(tensors: NamedRawTensors, metadata?: Record<string, string>): Uint8Array {
  const named = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const fields: string[] = [];
  if (metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw badArgument(`metadata "${key}" is not a string; expected a string, got ${typeof value}.`);
    }
    fields.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const [name, tensor] of named) {
    checkTensorArgument(name, tensor);
    const end = offset + tensor.bytes.length;
    fields.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const [, tensor] of named) {
    out.set(tensor.bytes, position);
    position += tensor.bytes.length;
  }
  return out;
}

/**
 * Reads and parses a safetensors file from a path (Node only), an ArrayBuffer, a Uint8Array or a
 * fetch Response.
 *
 * @throws FileFormatError as parseSafetensors does.
 */
export async function readSafetensorsFrom(source: ByteSource): Promise<SafetensorsContents> {
  return parseSafetensors(await readByteSource(source, FORMAT));
}

/**
 * Writes tensors as a safetensors file at `path`, atomically (a temporary file renamed over the
 * target). Node only.
 *
 * @throws TensorError as serializeSafetensors does.
 */
export async function writeSafetensorsFile(path: string, tensors: NamedRawTensors, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

function parseHeaderJson(headerBytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (cause) {
    throw malformed('header is not valid UTF-8; expected UTF-8 JSON text, got invalid byte sequences.', cause);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (cause) {
    throw malformed(`header is not valid JSON; expected a JSON object, got ${describe(text)} (${(cause as Error).message}).`, cause);
  }
  if (!isRecord(header)) throw malformed(`header is not a JSON object; expected an object, got ${describe(header)}.`);
  return header;
}

function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw malformed(`${METADATA_KEY} is not an object; expected a map of strings, got ${describe(value)}.`);
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw malformed(`${METADATA_KEY} entry "${key}" is not a string; expected a string, got ${describe(entry)}.`);
  }
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

function parseEntry(name: string, info: unknown, dataLength: number): HeaderEntry {
  if (!isRecord(info)) {
    throw malformed(`tensor "${name}" entry is not an object; expected {"dtype", "shape", "data_offsets"}, got ${describe(info)}.`);
  }
  const { dtype, shape, data_offsets: offsets } = info;
  if (!isFileDType(dtype)) {
    throw malformed(`tensor "${name}" has an unknown dtype; expected one of ${Object.keys(FILE_DTYPE_SIZES).join(', ')}, got ${describe(dtype)}.`);
  }
  if (!isIndexArray(shape)) {
    throw malformed(`tensor "${name}" has an invalid shape; expected an array of non-negative integers, got ${describe(shape)}.`);
  }
  if (!isIndexArray(offsets) || offsets.length !== 2 || offsets[0] > offsets[1]) {
    throw malformed(`tensor "${name}" has invalid data_offsets; expected [begin, end] with 0 <= begin <= end, got ${describe(offsets)}.`);
  }
  const [begin, end] = offsets;
  if (end > dataLength) {
    throw malformed(`tensor "${name}" data_offsets run past the end of the file; expected end <= ${dataLength}, got ${end}.`);
  }
  const expected = numelOf(shape) * FILE_DTYPE_SIZES[dtype];
  if (end - begin !== expected) {
    throw malformed(`tensor "${name}" byte count does not match shape [${shape.join(', ')}] × ${dtype}; expected ${expected} bytes, got ${end - begin}.`);
  }
  return { name, dtype, shape, begin, end };
}

function checkTensorArgument(name: string, tensor: RawTensor): void {
  if (name === METADATA_KEY) throw badArgument(`tensor name "${METADATA_KEY}" is reserved; expected any other name, got "${name}".`);
  if (!isFileDType(tensor.dtype)) {
    throw badArgument(`tensor "${name}" has an unknown dtype; expected one of ${Object.keys(FILE_DTYPE_SIZES).join(', ')}, got ${describe(tensor.dtype)}.`);
  }
  if (!isIndexArray(tensor.shape)) {
    throw badArgument(`tensor "${name}" has an invalid shape; expected an array of non-negative integers, got ${describe(tensor.shape)}.`);
  }
  const expected = numelOf(tensor.shape) * FILE_DTYPE_SIZES[tensor.dtype];
  if (tensor.bytes.length !== expected) {
    throw badArgument(`tensor "${name}" byte count does not match shape [${tensor.shape.join(', ')}] × ${tensor.dtype}; expected ${expected} bytes, got ${tensor.bytes.length}.`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIndexArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/** A short JSON rendering of a header value for error messages (shallow for unprintable values). */
function describe(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : JSON.stringify(value);
  } catch {
    // Too deeply nested (a stack overflow) or holding bigints.
    text = Array.isArray(value) ? `an array of ${value.length} items` : `a ${typeof value}`;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function malformed(message: string, cause?: unknown): FileFormatError {
  return new FileFormatError('MALFORMED_FILE', FORMAT, message, cause === undefined ? undefined : { cause });
}

function badArgument(message: string): TensorError {
  return new TensorError('BAD_ARGUMENT', FORMAT, `${FORMAT}: ${message}`);
}
