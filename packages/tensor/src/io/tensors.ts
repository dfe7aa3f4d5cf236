// Tensor-level file I/O shared by every model: safetensors (read/write, any source) and PyTorch
// `torch.save` checkpoints (read only, nothing in the file is ever executed). Values are decoded
// to the core dtypes (f16/bf16/f64 → f32, i64 → i32 with a range check) and uploaded to a backend.
import { getBackend } from '../backend/registry.js';
import type { Backend } from '../backend/spec.js';
import { fromArray } from '../ops/creation/creation.js';
import type { Tensor } from '../tensor.js';
import type { ByteSource } from './byte-source.js';
import { flattenStateDict, type FlattenOptions } from './pytorch/state-dict.js';
import { readTorchCheckpointFrom } from './pytorch/checkpoint.js';
import { decodeRaw, encodeRaw, type RawTensor } from './raw-tensor.js';
import { readSafetensorsFrom, serializeSafetensors, writeSafetensorsFile } from './safetensors.js';

export interface LoadOptions {
  /** Backend to upload to (default: the current one). */
  backend?: Backend;
  /** Keep F64 tensors as f64 (CPU reference only) instead of converting to f32. */
  keepF64?: boolean;
}

function upload(raws: Iterable<[string, RawTensor]>, options: LoadOptions): Map<string, Tensor> {
  const backend = options.backend ?? getBackend();
  const tensors = new Map<string, Tensor>();
  try {
    for (const [name, raw] of raws) {
      const { dtype, data } = decodeRaw(raw, { keepF64: options.keepF64, name });
      tensors.set(name, fromArray(data, raw.shape, dtype, backend));
    }
  } catch (error) {
    for (const t of tensors.values()) t.dispose();
    throw error;
  }
  return tensors;
}

/**
 * Reads a safetensors file (a path in Node, bytes, or a fetch Response) into tensors.
 * @example const { tensors, metadata } = await loadSafetensors('model.safetensors');
 */
export async function loadSafetensors(source: ByteSource, options: LoadOptions = {}): Promise<{ tensors: Map<string, Tensor>; metadata: Record<string, string> }> {
  const { metadata, tensors } = await readSafetensorsFrom(source);
  return { tensors: upload(tensors, options), metadata: { ...metadata } };
}

async function toRaw(tensors: ReadonlyMap<string, Tensor>): Promise<Map<string, RawTensor>> {
  const raws = new Map<string, RawTensor>();
  for (const [name, t] of tensors) raws.set(name, encodeRaw(t.dtype, await t.data(), [...t.shape]));
  return raws;
}

/** Serialises tensors (with string metadata) to safetensors bytes. @example const bytes = await toSafetensors(model.stateDict()); */
export async function toSafetensors(tensors: ReadonlyMap<string, Tensor>, metadata?: Record<string, string>): Promise<Uint8Array> {
  return serializeSafetensors(await toRaw(tensors), metadata);
}

/** Writes tensors to a safetensors file atomically (Node). @example await saveSafetensors('model.safetensors', model.stateDict()); */
export async function saveSafetensors(path: string, tensors: ReadonlyMap<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeSafetensorsFile(path, await toRaw(tensors), metadata);
}

/**
 * Reads the tensors of a `torch.save` checkpoint as a flat state dict; `prefix` selects a sub-dict
 * (`'model'` of a fairseq checkpoint, `'net'` of the authors' vision checkpoints) and `stripPrefix`
 * drops e.g. DataParallel's `module.`.
 * @example const dict = await loadTorchCheckpoint('checkpoint_best.pt', { prefix: 'model' });
 */
export async function loadTorchCheckpoint(source: ByteSource, options: LoadOptions & FlattenOptions = {}): Promise<Map<string, Tensor>> {
  const { root } = await readTorchCheckpointFrom(source);
  return upload(flattenStateDict(root, options), options);
}
