import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../errors/index.js';
import { decodeRaw, type FileDType, type RawTensor } from '../raw-tensor.js';
import { readTorchCheckpoint, readTorchCheckpointFrom } from './checkpoint.js';
import { unpickle, type PickleGlobal } from './pickle.js';
import { flattenStateDict } from './state-dict.js';
import { loadStorage, TORCH_GLOBALS } from './torch-globals.js';
import { readZipDirectory, readZipEntry } from './zip.js';

const testData = fileURLToPath(new URL('../../../test-data/torch/', import.meta.url));
const PWNED_MARKER = '/tmp/longshort-pickle-pwned';
const CHECKPOINTS = ['sequential', 'fairseq', 'views', 'dtypes', 'dtypes-deflated', 'edge-cases', 'nested', 'evil', 'legacy-views'];

interface Expected {
  dtype: FileDType;
  shape: number[];
  values: Array<number | string>;
}

const bytesOf = async (name: string) => new Uint8Array(await readFile(join(testData, `${name}.pt`)));
const expectedOf = async (name: string) => JSON.parse(await readFile(join(testData, `${name}.json`), 'utf8')) as Record<string, Expected>;

/** Compares a tensor with torch's values (NaN and the infinities are strings in the JSON). */
function expectTensor(key: string, tensor: RawTensor, expected: Expected): void {
  expect({ dtype: tensor.dtype, shape: tensor.shape }, key).toEqual({ dtype: expected.dtype, shape: expected.shape });
  const values = expected.values.map(Number);
  if (tensor.dtype === 'I64' && values.some((v) => v !== (v | 0))) {
    expect(() => decodeRaw(tensor, { name: key })).toThrow(FileFormatError);
    expect([...new BigInt64Array(tensor.bytes.slice().buffer)].map(Number), key).toEqual(values);
    return;
  }
  expect([...decodeRaw(tensor, { keepF64: true, name: key }).data], key).toEqual(values);
}

async function formatErrorOf(read: () => Promise<unknown>): Promise<FileFormatError | undefined> {
  try {
    await read();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(FileFormatError);
    return error as FileFormatError;
  }
}

describe('readTorchCheckpoint', () => {
  it.each(CHECKPOINTS)('reads %s.pt with the values torch reads', async (name) => {
    const { tensors } = await readTorchCheckpointFrom(join(testData, `${name}.pt`));
    const expected = await expectedOf(name);
    expect([...tensors.keys()]).toEqual(Object.keys(expected));
    for (const [key, tensor] of tensors) expectTensor(key, tensor, expected[key]);
  });

  it('reads a nn.Sequential state dict as an ordered Map', async () => {
    const { root } = await readTorchCheckpoint(await bytesOf('sequential'));
    expect(root).toBeInstanceOf(Map);
    expect([...(root as Map<string, unknown>).keys()]).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    expect((root as Map<string, unknown>).get('0.weight')).toMatchObject({ __tensor__: { dtype: 'F32', shape: [3, 4] } });
  });

  it('keeps a fairseq checkpoint\'s non-tensor objects as inert data', async () => {
    const { root, tensors } = await readTorchCheckpoint(await bytesOf('fairseq'));
    const map = root as Map<string, unknown>;
    const args = map.get('args') as PickleGlobal;
    expect(args).toMatchObject({ __global__: 'argparse.Namespace', args: [] });
    expect(args.state).toEqual(new Map<string, unknown>([['arch', 'transformer_ls'], ['lr', [0.0005]], ['dropout', 0.1], ['max_tokens', 4096], ['fp16', false]]));
    const extra = map.get('extra') as PickleGlobal;
    expect(extra.__global__).toBe('numpy.core.multiarray.scalar');
    expect((extra.args![0] as PickleGlobal).__global__).toBe('numpy.dtype');
    expect(new DataView((extra.args![1] as Uint8Array).slice().buffer).getFloat64(0, true)).toBe(1.5);
    expect(map.get('optimizer_history')).toEqual([new Map<string, unknown>([
      ['criterion_name', 'CrossEntropyCriterion'], ['optimizer_name', 'Adam'], ['lr_scheduler_state', new Map([['best', 2.5]])], ['num_updates', 100],
    ])]);
    // Tied weights are one tensor in torch, so they share their bytes here.
    expect(tensors.get('model.decoder.output_projection.weight')).toBe(tensors.get('model.encoder.embed_tokens.weight'));
    expect(tensors.has('last_optimizer_state.state.0.exp_avg')).toBe(true);
    expect([...flattenStateDict(root, { prefix: 'model' }).keys()]).toEqual([
      'encoder.embed_tokens.weight', 'encoder.layers.0.fc1.weight', 'encoder.layers.0.fc1.bias', 'decoder.output_projection.weight',
    ]);
  });

  it('selects a sub-dict and strips module. prefixes', async () => {
    const { root } = await readTorchCheckpoint(await bytesOf('nested'));
    const keys = ['encoder.weight', 'encoder.bias', 'head.weight'];
    expect([...flattenStateDict(root, { prefix: 'state_dict', stripPrefix: 'module.' }).keys()]).toEqual(keys);
    expect([...flattenStateDict(root, { prefix: 'state_dict.module.' }).keys()]).toEqual(keys);
    expect([...flattenStateDict(root, { stripPrefix: 'state_dict.' }).keys()]).toEqual(keys.map((k) => `module.${k}`));
    expect(flattenStateDict(root, { prefix: 'missing' }).size).toBe(0);
    const meta = (root as Map<string, unknown>).get('meta');
    expect(meta).toEqual(new Map<string, unknown>([
      ['name', 'nested'], ['tags', ['a', 'b']], ['raw', Uint8Array.of(0, 255)], ['ids', new Set([1, 2])], ['tuple', [1, 2.5, null, true]],
    ]));
    expect((root as Map<string, unknown>).get('epoch')).toBe(3);
  });

  it('shares storages between views and copies non-contiguous tensors', async () => {
    for (const name of ['views', 'legacy-views']) {
      const { tensors } = await readTorchCheckpoint(await bytesOf(name));
      const base = tensors.get('base')!;
      const rows = tensors.get('rows')!;
      expect(rows.bytes.buffer).toBe(base.bytes.buffer);
      expect(rows.bytes.byteOffset).toBe(base.bytes.byteOffset + 6 * 4);
      expect(tensors.get('transposed')!.bytes.buffer).not.toBe(base.bytes.buffer);
      expect(tensors.get('expanded')).toMatchObject({ shape: [2, 3] });
    }
  });

  it('reads deflated entries under any top folder name', async () => {
    const bytes = await bytesOf('dtypes-deflated');
    const entries = readZipDirectory(bytes);
    expect(entries.every((entry) => entry.method === 8 && entry.name.startsWith('dtypes-deflated/'))).toBe(true);
    const deflated = await readTorchCheckpoint(bytes);
    const stored = await readTorchCheckpoint(await bytesOf('dtypes'));
    expect(deflated.tensors).toEqual(stored.tensors);
  });

  it('never runs the globals a malicious checkpoint names', async () => {
    rmSync(PWNED_MARKER, { force: true });
    const { root, tensors } = await readTorchCheckpoint(await bytesOf('evil'));
    const map = root as Map<string, unknown>;
    expect(map.get('system')).toEqual({ __global__: 'posix.system', args: [`touch ${PWNED_MARKER}`] });
    expect(map.get('eval')).toEqual({ __global__: '__builtin__.eval', args: [`__import__('os').system('touch ${PWNED_MARKER}')`] });
    expect([...tensors.keys()]).toEqual(['weight']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(PWNED_MARKER)).toBe(false);
  });

  it('reads from an ArrayBuffer and a Response', async () => {
    const bytes = await bytesOf('edge-cases');
    for (const source of [bytes.slice().buffer, new Response(bytes.slice())]) {
      const { tensors } = await readTorchCheckpointFrom(source);
      expect(tensors.get('scalar')).toMatchObject({ dtype: 'F32', shape: [] });
      expect(tensors.get('empty')).toMatchObject({ dtype: 'F32', shape: [0, 5], bytes: new Uint8Array(0) });
    }
  });
});

describe('readTorchCheckpoint errors', () => {
  it('rejects files that are not checkpoints', async () => {
    const safetensors = new Uint8Array(await readFile(join(testData, '../safetensors/mixed.safetensors')));
    for (const bytes of [new Uint8Array(0), new TextEncoder().encode('hello'), safetensors]) {
      const error = await formatErrorOf(() => readTorchCheckpoint(bytes));
      expect(error?.code).toBe('MALFORMED_FILE');
      expect(error?.message).toContain('pytorch: file is not a torch.save checkpoint; expected a zip archive');
    }
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode('ustar'), 257);
    expect((await formatErrorOf(() => readTorchCheckpoint(tar)))?.code).toBe('UNSUPPORTED_FORMAT');
  });

  it('rejects big-endian checkpoints', async () => {
    const bytes = await bytesOf('big-endian');
    const error = await formatErrorOf(() => readTorchCheckpoint(bytes));
    expect(error?.code).toBe('UNSUPPORTED_FORMAT');
    expect(error?.message).toBe('pytorch: checkpoint byte order is unsupported; expected "little", got "big".');
  });

  it('rejects tensor views outside their storage and unknown storage types', () => {
    const load = (pickle: string) => unpickle(Uint8Array.from(pickle, (c) => c.charCodeAt(0)), {
      globals: TORCH_GLOBALS,
      persistentLoad: (pid) => loadStorage(pid, new Map([['0', new Uint8Array(16)]])),
    });
    const tensor = (storageType: string, offset: number, size: number, stride: number) =>
      `ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\n${storageType}\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQK${String.fromCharCode(offset)}K${String.fromCharCode(size)}\x85K${String.fromCharCode(stride)}\x85\x89}tR.`;
    expect(load(tensor('FloatStorage', 1, 3, 1))).toMatchObject({ __tensor__: { dtype: 'F32', shape: [3] } });
    expect(() => load(tensor('FloatStorage', 2, 3, 1))).toThrow('pytorch: tensor on storage "0" (offset 2, size [3], stride [1]) reads past the storage; expected its last element below 4, got 4.');
    expect(() => load(tensor('FloatStorage', 0, 3, 2))).toThrow('reads past the storage');
    expect(() => load(tensor('ComplexFloatStorage', 0, 1, 1))).toThrow('storage "0" has an unsupported type');
    expect(() => load(tensor('DoubleStorage', 0, 1, 1))).toThrow('storage "0" record has the wrong size for 4 F64 elements; expected 32 bytes, got 16.');
  });
});

describe('readTorchCheckpoint robustness', () => {
  it('gives FileFormatError for every truncation and a result or FileFormatError for every flipped byte', async () => {
    for (const name of CHECKPOINTS) {
      const bytes = await bytesOf(name);
      const started = performance.now();
      for (let length = 0; length < bytes.length; length++) {
        expect(await formatErrorOf(() => readTorchCheckpoint(bytes.subarray(0, length))), `${name} truncated to ${length}`).toBeDefined();
      }
      for (let position = 0; position < bytes.length; position++) {
        const copy = bytes.slice();
        copy[position] ^= 0x55;
        await formatErrorOf(() => readTorchCheckpoint(copy));
      }
      expect(performance.now() - started, name).toBeLessThan(30_000);
    }
  });

  it('gives a result or FileFormatError for every flipped byte of data.pkl (no CRC to catch it)', async () => {
    for (const name of ['views', 'fairseq', 'dtypes', 'edge-cases']) {
      const bytes = await bytesOf(name);
      const entries = readZipDirectory(bytes);
      const records = new Map<string, Uint8Array>();
      let pickle: Uint8Array = new Uint8Array(0);
      for (const entry of entries) {
        const data = await readZipEntry(bytes, entry);
        if (entry.name.endsWith('/data.pkl')) pickle = data;
        else if (entry.name.includes('/data/')) records.set(entry.name.slice(entry.name.lastIndexOf('/') + 1), data);
      }
      for (let position = 0; position < pickle.length; position++) {
        for (const mask of [0x01, 0x04, 0x80, 0xff]) {
          const copy = pickle.slice();
          copy[position] ^= mask;
          await formatErrorOf(async () => flattenStateDict(unpickle(copy, { globals: TORCH_GLOBALS, persistentLoad: (pid) => loadStorage(pid, records) })));
        }
      }
    }
  });
});
