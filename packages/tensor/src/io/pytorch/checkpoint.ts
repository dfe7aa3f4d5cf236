// Reading torch.save checkpoints in the zip format (the default since torch 1.6; see
// torch/serialization.py `_save` / `_load`): `<prefix>/data.pkl` is a pickle whose persistent ids
// ('storage', storage_type, key, location, numel) name the records `<prefix>/data/<key>` holding
// each storage's raw little-endian bytes. Nothing from the file is ever executed.

import { FileFormatError } from '../../errors/index.js';
import { readByteSource, type ByteSource } from '../byte-source.js';
import type { RawTensor } from '../raw-tensor.js';
import { isLegacyCheckpoint, readLegacyCheckpoint } from './legacy.js';
import { unpickle } from './pickle.js';
import { flattenStateDict } from './state-dict.js';
import { loadStorage, TORCH_GLOBALS } from './torch-globals.js';
import { isZipArchive, readZipDirectory, readZipEntry } from './zip.js';

/** A checkpoint read by readTorchCheckpoint. */
export interface TorchCheckpoint {
  /**
   * The unpickled object. Python dicts (OrderedDict included) are Maps, lists and tuples arrays,
   * sets Sets, bytes Uint8Arrays, ints numbers (bigints beyond ±2^53), None null; tensors and
   * parameters are `{ __tensor__: RawTensor }` markers (TorchTensor); any other object (an
   * argparse.Namespace, a numpy scalar) is an inert PickleGlobal placeholder.
   */
  root: unknown;
  /** Every tensor of `root` under its dotted key path, as flattenStateDict(root) returns them. */
  tensors: Map<string, RawTensor>;
}

const FORMAT = 'pytorch';

/**
 * Reads a torch.save checkpoint: the zip format (torch >= 1.6), with stored or deflated entries,
 * or the legacy pickle-stream format. Each tensor is rebuilt from its storage, offset, size and
 * stride into contiguous row-major bytes; contiguous tensors are views into `bytes`, and tensors
 * sharing a storage share its bytes.
 *
 * @throws FileFormatError `MALFORMED_FILE` for a truncated or corrupt file; `UNSUPPORTED_FORMAT`
 *   for big-endian checkpoints, unsupported storage dtypes and the tar format of torch < 0.4.
 */
export async function readTorchCheckpoint(bytes: Uint8Array): Promise<TorchCheckpoint> {
  if (!isZipArchive(bytes)) {
    if (isLegacyCheckpoint(bytes)) return withTensors(readLegacyCheckpoint(bytes));
    throw notACheckpoint(bytes);
  }
  const entries = readZipDirectory(bytes);
  const pickles = entries.filter((entry) => /^[^/]+\/data\.pkl$/.test(entry.name));
  if (pickles.length !== 1) {
    throw new FileFormatError('MALFORMED_FILE', FORMAT, `archive does not hold one top-level data.pkl; expected exactly one <prefix>/data.pkl, got ${pickles.length}${pickles.length > 1 ? ` (${pickles.map((entry) => entry.name).join(', ')})` : ''}.`);
  }
  const prefix = pickles[0].name.slice(0, -'data.pkl'.length);
  const byteOrder = entries.find((entry) => entry.name === `${prefix}byteorder`);
  if (byteOrder !== undefined) {
    const order = new TextDecoder().decode(await readZipEntry(bytes, byteOrder)).trim();
    if (order !== 'little') {
      throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `checkpoint byte order is unsupported; expected "little", got "${order.slice(0, 20)}".`);
    }
  }
  const records = new Map<string, Uint8Array>();
  const dataFolder = `${prefix}data/`;
  for (const entry of entries) {
    if (entry.name.startsWith(dataFolder) && entry.name.length > dataFolder.length) {
      records.set(entry.name.slice(dataFolder.length), await readZipEntry(bytes, entry));
    }
  }
  const root = unpickle(await readZipEntry(bytes, pickles[0]), {
    globals: TORCH_GLOBALS,
    persistentLoad: (pid) => loadStorage(pid, records),
  });
  return withTensors(root);
}

/**
 * Reads a torch.save checkpoint from a path (Node only), an ArrayBuffer, a Uint8Array or a fetch
 * Response, as readTorchCheckpoint does.
 */
export async function readTorchCheckpointFrom(source: ByteSource): Promise<TorchCheckpoint> {
  return readTorchCheckpoint(await readByteSource(source, FORMAT));
}

function withTensors(root: unknown): TorchCheckpoint {
  return { root, tensors: flattenStateDict(root) };
}

function notACheckpoint(bytes: Uint8Array): FileFormatError {
  if (bytes.length >= 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar') {
    return new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, 'file uses the tar format of torch < 0.4; expected a zip checkpoint, got a tar archive. Re-save it with torch >= 1.6: torch.save(torch.load(path), path).');
  }
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return new FileFormatError('MALFORMED_FILE', FORMAT, `file is not a torch.save checkpoint; expected a zip archive (PK\\x03\\x04) or a legacy pickle stream, got bytes [${head}].`);
}
