import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileFormatError, TensorError } from '../errors/index.js';
import { decodeRaw, encodeRaw, FILE_DTYPE_SIZES, type FileDType, type RawTensor } from './raw-tensor.js';
import { parseSafetensors, readSafetensorsFrom, serializeSafetensors, writeSafetensorsFile } from './safetensors.js';

const fixtures = fileURLToPath(new URL('../../../../fixtures/reference/', import.meta.url));
const testData = fileURLToPath(new URL('../../test-data/safetensors/', import.meta.url));

interface Expected {
  dtype: FileDType;
  shape: number[];
  values: Array<number | string>;
}

/** JSON expectations spell NaN and the infinities as strings. */
function expectedNumber(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

function expectTensor(name: string, tensor: RawTensor, expected: Expected): void {
  expect({ dtype: tensor.dtype, shape: tensor.shape }, name).toEqual({ dtype: expected.dtype, shape: expected.shape });
  expect([...decodeRaw(tensor, { keepF64: true, name }).data], name).toEqual(expected.values.map(expectedNumber));
}

function rawOf(dtype: FileDType, shape: number[], seed: number): RawTensor {
  const size = shape.reduce((a, b) => a * b, 1) * FILE_DTYPE_SIZES[dtype];
  return { dtype, shape, bytes: Uint8Array.from({ length: size }, (_, i) => (dtype === 'BOOL' ? (i + seed) % 2 : (i * 31 + seed) & 0xff)) };
}

/** Runs `read` and returns its error, failing the test if it is anything but a FileFormatError. */
function formatErrorOf(read: () => unknown): FileFormatError | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(FileFormatError);
    return error as FileFormatError;
  }
}

function withHeader(header: unknown, data = new Uint8Array(0), rawHeader?: string): Uint8Array {
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('serializeSafetensors / parseSafetensors', () => {
  it('round-trips every dtype, zero-sized and 0-dim tensors, and metadata', () => {
    const tensors = new Map<string, RawTensor>();
    (Object.keys(FILE_DTYPE_SIZES) as FileDType[]).forEach((dtype, i) => {
      tensors.set(`t.${dtype}`, rawOf(dtype, [2, 3], i));
      tensors.set(`empty.${dtype}`, rawOf(dtype, [0, 4], i));
    });
    tensors.set('scalar', rawOf('F32', [], 9));
    tensors.set('1', rawOf('I32', [1], 1));
    const metadata = { kind: 'test', config: '{"a":1}', 'ünïcode ✓': 'värde' };
    const bytes = serializeSafetensors(tensors, metadata);
    const parsed = parseSafetensors(bytes);
    expect(parsed.metadata).toEqual(metadata);
    expect([...parsed.tensors.keys()]).toEqual([...tensors.keys()]);
    for (const [name, tensor] of tensors) expect(parsed.tensors.get(name), name).toEqual(tensor);
  });

  it('writes the documented layout: u64 length, space-padded header, data in order', () => {
    const bytes = serializeSafetensors({ b: encodeRaw('f32', [1, 2], [2]), a: encodeRaw('i32', [3], [1]) }, { k: 'v' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    expect(header.trimEnd()).toBe('{"__metadata__":{"k":"v"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}}');
    expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
    expect(bytes.length).toBe(8 + headerLength + 12);
    expect(new Float32Array(bytes.slice(8 + headerLength, 8 + headerLength + 8).buffer)).toEqual(new Float32Array([1, 2]));
  });

  it('writes an empty file and no __metadata__ unless given', () => {
    const bytes = serializeSafetensors(new Map());
    expect(new TextDecoder().decode(bytes.subarray(8))).toBe('{}      ');
    expect(parseSafetensors(bytes)).toEqual({ metadata: {}, tensors: new Map() });
  });

  it('rejects invalid tensors and metadata with TensorError BAD_ARGUMENT', () => {
    const bad: Array<[Record<string, RawTensor>, Record<string, string>?]> = [
      [{ __metadata__: encodeRaw('f32', [1], [1]) }],
      [{ x: { dtype: 'F32', shape: [2], bytes: new Uint8Array(4) } }],
      [{ x: { dtype: 'X' as FileDType, shape: [1], bytes: new Uint8Array(4) } }],
      [{ x: { dtype: 'F32', shape: [1.5], bytes: new Uint8Array(4) } }],
      [{}, { k: 3 as unknown as string }],
    ];
    for (const [tensors, metadata] of bad) {
      expect(() => serializeSafetensors(tensors, metadata)).toThrow(TensorError);
    }
    expect(() => serializeSafetensors(bad[1][0])).toThrow('safetensors: tensor "x" byte count does not match shape [2] × F32; expected 8 bytes, got 4.');
  });
});

describe('reading files', () => {
  it('reads the reference fixtures with their metadata', async () => {
    const kinds: Record<string, string> = {
      'bidir-basic': 'bidirectional-attention', 'bidir-cls': 'bidirectional-attention', 'bidir-four-heads': 'bidirectional-attention',
      'bidir-window-only': 'bidirectional-attention', 'causal-lm-small': 'causal-lm', 'vision-attn': 'vision-attention',
      'vision-model-tiny': 'vision-model',
    };
    const names = (await readdir(fixtures)).filter((name) => name.endsWith('.safetensors'));
    expect(names.length).toBeGreaterThanOrEqual(Object.keys(kinds).length);
    for (const name of names) {
      const file = await readSafetensorsFrom(join(fixtures, name));
      const stem = name.replace(/\.safetensors$/, '');
      if (stem in kinds) expect(file.metadata.kind, name).toBe(kinds[stem]);
      expect(() => JSON.parse(file.metadata.config), name).not.toThrow();
      for (const [key, tensor] of file.tensors) expect(decodeRaw(tensor, { name: key }).data.length, key).toBe(tensor.shape.reduce((a, b) => a * b, 1));
    }
    const lm = await readSafetensorsFrom(join(fixtures, 'causal-lm-small.safetensors'));
    expect(Number(lm.metadata.bpc)).toBeGreaterThan(0);
    const window = await readSafetensorsFrom(join(fixtures, 'bidir-window-only.safetensors'));
    expect(window.tensors.get('dconv_fc.weight')).toMatchObject({ dtype: 'F32', shape: [0, 24] });
    expect(window.tensors.get('W_q.weight')).toMatchObject({ dtype: 'F32', shape: [24, 24] });
    const vision = await readSafetensorsFrom(join(fixtures, 'vision-attn.safetensors'));
    const index = vision.tensors.get('relative_position_index')!;
    expect(index).toMatchObject({ dtype: 'I32', shape: [16, 64] });
    expect(decodeRaw(index).data.every((v) => v >= 0)).toBe(true);
  });

  it('re-serializes a fixture to an equivalent file', async () => {
    const bytes = new Uint8Array(await readFile(join(fixtures, 'bidir-basic.safetensors')));
    const file = parseSafetensors(bytes);
    const again = parseSafetensors(serializeSafetensors(file.tensors, file.metadata));
    expect(again.metadata).toEqual(file.metadata);
    for (const [name, tensor] of file.tensors) expect(again.tensors.get(name), name).toEqual(tensor);
  });

  it('matches the values the Python script wrote (mixed dtypes)', async () => {
    const file = await readSafetensorsFrom(join(testData, 'mixed.safetensors'));
    const expected = JSON.parse(await readFile(join(testData, 'mixed.json'), 'utf8')) as Record<string, Expected>;
    expect(file.metadata).toEqual({ format: 'pt', source: 'make-torch-checkpoints.py' });
    expect(new Set(file.tensors.keys())).toEqual(new Set(Object.keys(expected)));
    for (const [name, tensor] of file.tensors) expectTensor(name, tensor, expected[name]);
  });

  it('reads from an ArrayBuffer, a Uint8Array and a Response', async () => {
    const bytes = serializeSafetensors({ x: encodeRaw('f32', [4], [1]) }, { a: 'b' });
    const copy = bytes.slice().buffer;
    for (const source of [copy, bytes, new Response(bytes.slice())]) {
      const file = await readSafetensorsFrom(source);
      expect(file.metadata).toEqual({ a: 'b' });
      expect(decodeRaw(file.tensors.get('x')!).data).toEqual(new Float32Array([4]));
    }
    await expect(readSafetensorsFrom(new Response('missing', { status: 404, statusText: 'Not Found' }))).rejects.toThrow('expected 200-299, got 404 Not Found.');
    const used = new Response(bytes.slice());
    await used.arrayBuffer();
    await expect(readSafetensorsFrom(used)).rejects.toThrow(FileFormatError);
  });
});

describe('writeSafetensorsFile', () => {
  it('writes atomically, replacing an existing file and leaving no temporary files', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'longshort-safetensors-'));
    try {
      const path = join(folder, 'model.safetensors');
      await writeFile(path, 'old contents');
      await writeSafetensorsFile(path, { w: encodeRaw('f64', [1.25], [1]) }, { step: '3' });
      expect(await readdir(folder)).toEqual(['model.safetensors']);
      const file = await readSafetensorsFrom(path);
      expect(file.metadata).toEqual({ step: '3' });
      expect(decodeRaw(file.tensors.get('w')!, { keepF64: true }).data).toEqual(new Float64Array([1.25]));
      await expect(writeSafetensorsFile(join(folder, 'missing', 'x.safetensors'), {})).rejects.toThrow();
      expect(await readdir(folder)).toEqual(['model.safetensors']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('malformed files', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);
  const cases: Array<[string, Uint8Array, string]> = [
    ['short file', new Uint8Array(5), 'file is too short to hold the header length; expected at least 8 bytes, got 5.'],
    ['header past end', withHeader({}).subarray(0, 9), 'header length runs past the end of the file; expected at most 1 bytes, got 2.'],
    ['huge header length', Uint8Array.of(255, 255, 255, 255, 255, 255, 255, 255, 123), 'got 18446744073709551615.'],
    ['invalid JSON', withHeader(null, undefined, '{"a":'), 'header is not valid JSON'],
    ['invalid UTF-8', Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22, 0xff, 0x22), 'header is not valid UTF-8; expected UTF-8 JSON text, got invalid byte sequences.'],
    ['array header', withHeader([1, 2]), 'header is not a JSON object; expected an object, got [1,2].'],
    ['unknown dtype', withHeader({ x: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, f32(4)), 'tensor "x" has an unknown dtype; expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, U16, U32, U64, F8_E4M3, F8_E5M2, got "F128".'],
    ['negative shape', withHeader({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), 'tensor "x" has an invalid shape; expected an array of non-negative integers, got [-1].'],
    ['fractional shape', withHeader({ x: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, f32(1)), 'got [1.5].'],
    ['string shape', withHeader({ x: { dtype: 'F32', shape: '2', data_offsets: [0, 8] } }, f32(2)), 'invalid shape'],
    ['missing offsets', withHeader({ x: { dtype: 'F32', shape: [1] } }, f32(1)), 'tensor "x" has invalid data_offsets; expected [begin, end] with 0 <= begin <= end, got nothing.'],
    ['reversed offsets', withHeader({ x: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32(1)), 'got [4,0].'],
    ['offsets past end', withHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(1)), 'tensor "x" data_offsets run past the end of the file; expected end <= 4, got 8.'],
    ['byte count', withHeader({ x: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 8] } }, f32(2)), 'tensor "x" byte count does not match shape [2, 2] × F32; expected 16 bytes, got 8.'],
    ['overlap', withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(3)), 'tensor "b" data overlaps tensor "a"; expected data_offsets to begin at 8, got 4.'],
    ['gap', withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, f32(3)), 'tensor "b" data leaves a gap after tensor "a"; expected data_offsets to begin at 4, got 8.'],
    ['late start', withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2)), 'leaves a gap after the start of the data'],
    ['trailing bytes', withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)), 'data section has bytes no tensor covers; expected 4 data bytes, got 8.'],
    ['non-string metadata', withHeader({ __metadata__: { a: 1 } }), '__metadata__ entry "a" is not a string; expected a string, got 1.'],
    ['array metadata', withHeader({ __metadata__: ['a'] }), '__metadata__ is not an object'],
    ['non-object entry', withHeader({ x: 3 }), 'tensor "x" entry is not an object'],
  ];

  it.each(cases)('%s', (_name, bytes, message) => {
    const error = formatErrorOf(() => parseSafetensors(bytes));
    expect(error?.code).toBe('MALFORMED_FILE');
    expect(error?.message).toContain(message);
    expect(error?.message.startsWith('safetensors: ')).toBe(true);
  });

  it('accepts null metadata and a zero-sized tensor between others', () => {
    const bytes = withHeader({
      __metadata__: null,
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      z: { dtype: 'F32', shape: [0, 2], data_offsets: [4, 4] },
      b: { dtype: 'U8', shape: [2], data_offsets: [4, 6] },
    }, new Uint8Array(6));
    const file = parseSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual(['a', 'z', 'b']);
    expect(file.metadata).toEqual({});
  });

  it('gives FileFormatError for every truncation of the test files, quickly', async () => {
    const files = [join(testData, 'mixed.safetensors'), join(fixtures, 'bidir-window-only.safetensors')];
    for (const path of files) {
      const bytes = new Uint8Array(await readFile(path));
      const started = performance.now();
      for (let length = 0; length < bytes.length; length += length < 4096 ? 1 : 97) {
        const error = formatErrorOf(() => parseSafetensors(bytes.subarray(0, length)));
        expect(error, `${path} truncated to ${length}`).toBeDefined();
      }
      expect(performance.now() - started).toBeLessThan(20_000);
    }
  });

  it('gives a result or a FileFormatError for every flipped header byte', async () => {
    const bytes = new Uint8Array(await readFile(join(testData, 'mixed.safetensors')));
    const headerEnd = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    let failures = 0;
    for (let position = 0; position < headerEnd; position++) {
      for (const mask of [0x01, 0x10, 0x80, 0xff]) {
        const copy = bytes.slice();
        copy[position] ^= mask;
        if (formatErrorOf(() => parseSafetensors(copy)) !== undefined) failures++;
      }
    }
    expect(failures).toBeGreaterThan(headerEnd);
  });

  it('describes deeply nested header values without overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const field of ['dtype', 'shape', 'data_offsets']) {
      const error = formatErrorOf(() => parseSafetensors(withHeader(null, undefined, `{"x":{"dtype":"F32","shape":[],"data_offsets":[0,4],"${field}":${deep}}}`)));
      expect(error?.message, field).toContain('got an array of 1 items.');
    }
    expect(formatErrorOf(() => parseSafetensors(withHeader(null, undefined, `{"__metadata__":{"a":${deep}}}`)))?.message).toContain('got an array of 1 items.');
  });

  it('gives a FileFormatError for bogus offsets', () => {
    const offsets: unknown[] = [[0, 2 ** 60], [2 ** 53, 2 ** 53 + 4], [-4, 0], [0, 4, 8], ['0', '4'], [0, 4.5], null, {}];
    for (const dataOffsets of offsets) {
      const error = formatErrorOf(() => parseSafetensors(withHeader({ x: { dtype: 'F32', shape: [1], data_offsets: dataOffsets } }, f32(1))));
      expect(error, JSON.stringify(dataOffsets)).toBeDefined();
    }
    const huge = formatErrorOf(() => parseSafetensors(withHeader({ x: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, f32(1))));
    expect(huge?.message).toContain('byte count does not match');
  });
});
