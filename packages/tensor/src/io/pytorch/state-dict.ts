// Flattening an unpickled checkpoint into a state dict: dotted key paths ('model.encoder.weight',
// as torch.nn.Module.state_dict names them) to the tensors found by walking nested dicts and lists.

import { FileFormatError } from '../../errors/index.js';
import type { RawTensor } from '../raw-tensor.js';
import { isPickleGlobal } from './pickle.js';
import { isTorchTensor } from './torch-globals.js';

export interface FlattenOptions {
  /**
   * Keep only the tensors under this dotted path, with the path removed from their keys: `'model'`
   * selects a fairseq checkpoint's `model` dict, `'state_dict'` a Lightning one, and
   * `'model.module'` also strips DataParallel's `module.` prefix. A trailing dot is optional.
   */
  prefix?: string;
  /** Remove this key prefix (e.g. `'module.'`) from the keys that have it; others are kept as is. */
  stripPrefix?: string;
}

/**
 * Collects every tensor of an unpickled checkpoint (readTorchCheckpoint's `root`) under its dotted
 * key path. Dict keys (strings, numbers) and list indices become path segments; an object
 * placeholder's `state`, `items` and `entries` are walked without adding a segment. Each dict or
 * list is visited once (shared or cyclic containers included), while a shared tensor appears under
 * every key that holds it (tied weights).
 *
 * @throws FileFormatError `MALFORMED_FILE` when two tensors end up under the same key.
 */
export function flattenStateDict(root: unknown, options: FlattenOptions = {}): Map<string, RawTensor> {
  const given = options.prefix ?? '';
  const prefix = given === '' || given.endsWith('.') ? given : `${given}.`;
  const out = new Map<string, RawTensor>();
  const visited = new WeakSet<object>();
  const pending: Array<[path: string, value: unknown]> = [['', root]];
  while (pending.length > 0) {
    const [path, value] = pending.pop()!;
    if (isTorchTensor(value)) {
      add(out, path, value.__tensor__, prefix, options.stripPrefix);
      continue;
    }
    if (typeof value !== 'object' || value === null || visited.has(value)) continue;
    visited.add(value);
    const children: Array<[string, unknown]> = [];
    if (value instanceof Map) {
      for (const [key, child] of value) {
        if (['string', 'number', 'bigint', 'boolean'].includes(typeof key)) children.push([join(path, String(key)), child]);
      }
    } else if (Array.isArray(value)) {
      value.forEach((child, index) => children.push([join(path, String(index)), child]));
    } else if (isPickleGlobal(value)) {
      children.push([path, value.state], [path, value.items], [path, value.entries]);
    }
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
  }
  return out;
}

function add(out: Map<string, RawTensor>, path: string, tensor: RawTensor, prefix: string, stripPrefix: string | undefined): void {
  if (!path.startsWith(prefix)) return;
  let key = path.slice(prefix.length);
  if (stripPrefix !== undefined && key.startsWith(stripPrefix)) key = key.slice(stripPrefix.length);
  if (out.has(key)) {
    throw new FileFormatError('MALFORMED_FILE', 'pytorch', `state dict key "${key}" is ambiguous; expected one tensor under it, got two (from "${path}" and an earlier path).`);
  }
  out.set(key, tensor);
}

function join(path: string, segment: string): string {
  return path === '' ? segment : `${path}.${segment}`;
}
