// The torch globals a checkpoint's pickle may name and how they are interpreted, as data only:
// storage classes and dtypes map to file dtypes, and torch._utils._rebuild_tensor* (torch/_utils.py)
// rebuild a tensor from (storage, storage_offset, size, stride) into contiguous bytes.

import { FileFormatError } from '../../errors/index.js';
import { FILE_DTYPE_SIZES, numelOf, type FileDType, type RawTensor } from '../raw-tensor.js';
import { isPickleGlobal, kindOf, type GlobalInterpreter } from './pickle.js';

/** A tensor inside an unpickled checkpoint. */
export interface TorchTensor {
  __tensor__: RawTensor;
}

/** A storage a checkpoint's persistent id resolved to: its `data/<key>` bytes, typed. */
export interface TorchStorage {
  __storage__: string;
  dtype: FileDType;
  bytes: Uint8Array;
}

const FORMAT = 'pytorch';

/** Storage class names (after `torch.`, `torch.cuda.` or `torch.storage.`) and their dtypes. */
const STORAGE_DTYPES: Readonly<Record<string, FileDType>> = {
  DoubleStorage: 'F64', FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8',
  ByteStorage: 'U8', BoolStorage: 'BOOL', UntypedStorage: 'U8',
};

/** torch dtype names (after `torch.`) and their file dtypes. */
const TORCH_DTYPES: Readonly<Record<string, FileDType>> = {
  float64: 'F64', double: 'F64', float32: 'F32', float: 'F32', float16: 'F16', half: 'F16', bfloat16: 'BF16',
  int64: 'I64', long: 'I64', int32: 'I32', int: 'I32', int16: 'I16', short: 'I16', int8: 'I8',
  uint8: 'U8', bool: 'BOOL', uint16: 'U16', uint32: 'U32', uint64: 'U64',
  float8_e4m3fn: 'F8_E4M3', float8_e5m2: 'F8_E5M2',
};

/** The largest non-contiguous tensor rebuildTensor copies (2 GiB). */
const MAX_GATHER_BYTES = 2 ** 31;

const storages = new WeakSet<TorchStorage>();

/** Whether `value` is a tensor marker of an unpickled checkpoint. */
export function isTorchTensor(value: unknown): value is TorchTensor {
  return typeof value === 'object' && value !== null && '__tensor__' in value;
}

/**
 * Resolves a persistent id `('storage', storage_type, key, location, numel)` to the bytes of record
 * `key`, checking the storage class and byte count. A legacy id's sixth item, view metadata
 * `(view_key, offset, size)`, selects a slice of the storage.
 */
export function loadStorage(pid: unknown, records: ReadonlyMap<string, Uint8Array>): TorchStorage {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
    throw malformed(`persistent id is invalid; expected ('storage', type, key, location, numel), got ${kindOf(pid)}.`);
  }
  const [, type, rawKey, , numel, view] = pid;
  const key = String(rawKey);
  const dtype = storageDType(type, key);
  const itemSize = FILE_DTYPE_SIZES[dtype];
  const bytes = records.get(key);
  if (bytes === undefined) throw malformed(`storage "${key}" has no data record; expected a record data/${key}, got none.`);
  if (!Number.isSafeInteger(numel) || bytes.length !== numel * itemSize) {
    throw malformed(`storage "${key}" record has the wrong size for ${String(numel)} ${dtype} elements; expected ${Number(numel) * itemSize} bytes, got ${bytes.length}.`);
  }
  let storage: TorchStorage = { __storage__: key, dtype, bytes };
  if (view !== undefined && view !== null) {
    const [viewKey, offset, size] = Array.isArray(view) ? view : [];
    if (!isIndex(offset) || !isIndex(size) || offset + size > numel) {
      throw malformed(`storage "${key}" view is invalid; expected (key, offset, size) inside its ${numel} elements, got ${kindOf(view)}.`);
    }
    storage = { __storage__: String(viewKey), dtype, bytes: bytes.subarray(offset * itemSize, (offset + size) * itemSize) };
  }
  storages.add(storage);
  return storage;
}

/** The dtype of a storage class placeholder (`torch.FloatStorage`, `torch.cuda.HalfStorage`, ...). */
export function storageDType(type: unknown, key: string): FileDType {
  const dtype = isPickleGlobal(type) ? ownValue(STORAGE_DTYPES, type.__global__.replace(/^torch\.(cuda\.|storage\.)?/, '')) : undefined;
  if (dtype === undefined) {
    throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `storage "${key}" has an unsupported type; expected one of ${Object.keys(STORAGE_DTYPES).join(', ')}, got ${kindOf(type)}.`);
  }
  return dtype;
}

/** Interpreters of the torch globals that build tensors from storages. */
export const TORCH_GLOBALS: ReadonlyMap<string, GlobalInterpreter> = new Map<string, GlobalInterpreter>([
  ['torch._utils._rebuild_tensor', (args) => rebuildTensor(args)],
  ['torch._utils._rebuild_tensor_v2', (args) => rebuildTensor(args)],
  ['torch._utils._rebuild_tensor_v3', (args) => rebuildTensor(args, torchDType(args[6]))],
  ['torch._utils._rebuild_parameter', (args) => args[0]],
  ['torch._utils._rebuild_parameter_with_state', (args) => args[0]],
  ['torch.Size', torchSize],
]);

function torchSize(args: unknown[]): unknown[] {
  const [dims = []] = args;
  if (!Array.isArray(dims)) throw malformed(`torch.Size argument is invalid; expected a tuple, got ${kindOf(dims)}.`);
  return [...dims];
}

function torchDType(value: unknown): FileDType {
  const dtype = isPickleGlobal(value) ? ownValue(TORCH_DTYPES, value.__global__.replace(/^torch\./, '')) : undefined;
  if (dtype === undefined) {
    throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `tensor dtype is unsupported; expected one of torch.${Object.keys(TORCH_DTYPES).join(', torch.')}, got ${kindOf(value)}.`);
  }
  return dtype;
}

/**
 * Rebuilds `_rebuild_tensor*(storage, storage_offset, size, stride, ...)` as contiguous row-major
 * bytes: a view of the storage when it is already contiguous, else a gathered copy.
 */
function rebuildTensor(args: unknown[], dtypeOverride?: FileDType): TorchTensor {
  const [storage, offset, size, stride] = args;
  if (!storages.has(storage as TorchStorage)) throw malformed(`tensor storage is invalid; expected a storage persistent id, got ${kindOf(storage)}.`);
  const { __storage__: key, bytes } = storage as TorchStorage;
  const dtype = dtypeOverride ?? (storage as TorchStorage).dtype;
  const where = `tensor on storage "${key}"`;
  if (!isIndexList(size) || !isIndexList(stride) || size.length !== stride.length || !isIndex(offset)) {
    throw malformed(`${where} has an invalid view; expected an offset and equally long size and stride lists of non-negative integers, got ${kindOf(offset)}, ${kindOf(size)} and ${kindOf(stride)}.`);
  }
  const itemSize = FILE_DTYPE_SIZES[dtype];
  const shape = [...size];
  const numel = numelOf(shape);
  if (numel === 0) return { __tensor__: { dtype, shape, bytes: new Uint8Array(0) } };
  const available = Math.floor(bytes.length / itemSize);
  const last = size.reduce((sum, n, d) => sum + (n - 1) * stride[d], offset);
  if (last >= available) {
    throw malformed(`${where} (offset ${offset}, size [${size.join(', ')}], stride [${stride.join(', ')}]) reads past the storage; expected its last element below ${available}, got ${last}.`);
  }
  if (isContiguous(size, stride)) {
    return { __tensor__: { dtype, shape, bytes: bytes.subarray(offset * itemSize, (offset + numel) * itemSize) } };
  }
  if (numel * itemSize > MAX_GATHER_BYTES) {
    throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `${where} is a strided view too large to copy; expected at most ${MAX_GATHER_BYTES} bytes, got ${numel * itemSize}.`);
  }
  return { __tensor__: { dtype, shape, bytes: gather(bytes, itemSize, offset, size, stride, numel) } };
}

function isContiguous(size: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expected) return false;
    expected *= size[d];
  }
  return true;
}

/** Copies a strided view element by element, walking its indices in row-major order. */
function gather(bytes: Uint8Array, itemSize: number, offset: number, size: number[], stride: number[], numel: number): Uint8Array {
  const out = new Uint8Array(numel * itemSize);
  const index = new Array<number>(size.length).fill(0);
  let source = offset;
  for (let n = 0; n < numel; n++) {
    const from = source * itemSize;
    for (let b = 0; b < itemSize; b++) out[n * itemSize + b] = bytes[from + b];
    for (let d = size.length - 1; d >= 0; d--) {
      index[d]++;
      source += stride[d];
      if (index[d] < size[d]) break;
      source -= stride[d] * size[d];
      index[d] = 0;
    }
  }
  return out;
}

function ownValue(table: Readonly<Record<string, FileDType>>, name: string): FileDType | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isIndexList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(isIndex);
}

function malformed(message: string): FileFormatError {
  return new FileFormatError('MALFORMED_FILE', FORMAT, message);
}
