// The legacy torch.save format (torch < 1.6, or `_use_new_zipfile_serialization=False`; see
// torch/serialization.py `_legacy_save` / `_legacy_load`): consecutive pickles of the magic number
// 0x1950a86a20f9469cfc6c, the protocol version 1001, sys_info, the object (persistent ids
// ('storage', type, key, location, numel, view)), the storage keys; then per key an 8-byte
// little-endian element count and the storage's raw bytes.

import { FileFormatError } from '../../errors/index.js';
import { FILE_DTYPE_SIZES, type FileDType } from '../raw-tensor.js';
import { kindOf, unpickleAt } from './pickle.js';
import { loadStorage, storageDType, TORCH_GLOBALS } from './torch-globals.js';

const FORMAT = 'pytorch';
const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

/** Whether `bytes` starts with the legacy torch.save magic number pickle. */
export function isLegacyCheckpoint(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x80) return false;
  try {
    return unpickleAt(bytes, 0, { maxOps: 8 }).value === MAGIC_NUMBER;
  } catch {
    return false;
  }
}

/**
 * Reads a legacy (pickle stream) torch.save checkpoint and returns its unpickled root, with tensors
 * as `{ __tensor__ }` markers as readTorchCheckpoint documents.
 *
 * @throws FileFormatError `MALFORMED_FILE` for a truncated or inconsistent stream;
 *   `UNSUPPORTED_FORMAT` for big-endian files and unsupported storage types.
 */
export function readLegacyCheckpoint(bytes: Uint8Array): unknown {
  const { end: versionStart } = unpickleAt(bytes, 0);
  const version = unpickleAt(bytes, versionStart);
  if (version.value !== PROTOCOL_VERSION) throw malformed(`protocol version is unknown; expected ${PROTOCOL_VERSION}, got ${kindOf(version.value)}.`);
  const sysInfo = unpickleAt(bytes, version.end);
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) {
    throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, 'checkpoint byte order is unsupported; expected little-endian, got big-endian.');
  }
  // A first pass only learns each storage's dtype and where the object pickle ends.
  const dtypes = new Map<string, FileDType>();
  const objectStart = sysInfo.end;
  const { end: keysStart } = unpickleAt(bytes, objectStart, {
    persistentLoad: (pid) => {
      if (Array.isArray(pid) && pid[0] === 'storage') dtypes.set(String(pid[2]), storageDType(pid[1], String(pid[2])));
      return null;
    },
  });
  const keys = unpickleAt(bytes, keysStart);
  if (!Array.isArray(keys.value)) throw malformed(`storage key list is invalid; expected a list, got ${kindOf(keys.value)}.`);
  const records = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = keys.end;
  for (const rawKey of keys.value) {
    const key = String(rawKey);
    const dtype = dtypes.get(key);
    if (dtype === undefined) throw malformed(`storage "${key}" is listed but never used; expected a persistent id for it, got none.`);
    if (position + 8 > bytes.length) throw truncated(key, position + 8, bytes.length);
    const numel = view.getUint32(position, true) + view.getUint32(position + 4, true) * 2 ** 32;
    const end = position + 8 + numel * FILE_DTYPE_SIZES[dtype];
    if (end > bytes.length) throw truncated(key, end, bytes.length);
    records.set(key, bytes.subarray(position + 8, end));
    position = end;
  }
  return unpickleAt(bytes, objectStart, {
    globals: TORCH_GLOBALS,
    persistentLoad: (pid) => (Array.isArray(pid) && pid[0] === 'module' ? pid[1] : loadStorage(pid, records)),
  }).value;
}

function truncated(key: string, needed: number, length: number): FileFormatError {
  return malformed(`storage "${key}" data runs past the end of the file; expected at least ${needed} bytes, got ${length} (truncated?).`);
}

function malformed(message: string): FileFormatError {
  return new FileFormatError('MALFORMED_FILE', FORMAT, message);
}
