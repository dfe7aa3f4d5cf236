// Training checkpoints: one folder per save under a root directory, written completely into a
// hidden temporary folder, flushed, renamed into place, and only then named by the root's
// `latest` pointer (itself replaced by rename), so a crash at any moment leaves the previous
// checkpoint intact. A folder holds config.json (model config + byte vocabulary),
// model.safetensors (the state dict, authors' key names), and for resuming training
// training.safetensors (AdamW moments, the segment memories) + training.json (optimizer steps and
// hyperparameters, schedule, RNG state, data position). Node only (dynamic node: imports).
import {
  ConfigError, FileFormatError, decodeRaw, encodeRaw, fromArray, parseSafetensors, serializeSafetensors,
  type GeneratorState, type RawTensor, type SchedulerStateDict, type Tensor,
} from '@longshort/tensor';
import { validateTransformerLSConfig, type TransformerLSConfig } from '../transformer-ls/config.js';
import { TransformerLSModel } from '../transformer-ls/model.js';
import { Vocabulary } from '../data/vocabulary.js';

const FORMAT = 'longshort checkpoint';
const VERSION = 1;
const LATEST = 'latest';

/** The learning-rate plan: linear warm-up over steps, then a cosine over steps or seconds. */
export interface LrPlan {
  readonly warmupSteps: number;
  readonly minLrRatio: number;
  /** The cosine reaches minLrRatio at this step… */
  readonly totalSteps?: number;
  /** …or after this much training time (time-budget runs). */
  readonly totalSeconds?: number;
}

/** The hyperparameters of a training run (fixed for its whole life, resumes included). */
export interface TrainHyperparameters {
  readonly batchSize: number;
  readonly segmentLength: number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly gradClip: number;
  readonly seed: number;
}

/** Where training stands: everything besides tensors that a resume needs (JSON). */
export interface TrainingState {
  readonly step: number;
  readonly tokens: number;
  readonly elapsedSeconds: number;
  /** The next segment to feed: segment `segment` of pass `epoch` over the training split. */
  readonly data: { readonly epoch: number; readonly segment: number };
  /** The default generator (dropout masks). */
  readonly rng: GeneratorState;
  readonly scheduler: SchedulerStateDict;
  readonly plan: LrPlan;
  readonly hyper: TrainHyperparameters;
  /** AdamW's param groups (hyperparameters, parameter indices) and per-parameter step counts. */
  readonly optimizer: { readonly paramGroups: unknown[]; readonly steps: Record<string, number> };
}

/** A checkpoint as read back: tensors are the caller's to dispose (disposeCheckpoint). */
export interface Checkpoint {
  /** The folder it was read from. */
  readonly path: string;
  readonly config: TransformerLSConfig;
  readonly vocab: Vocabulary;
  readonly weights: Map<string, Tensor>;
  readonly training?: {
    readonly state: TrainingState;
    /** `optimizer.<index>.<exp_avg|exp_avg_sq>` and `memory.<layer>` (B, L, D). */
    readonly tensors: Map<string, Tensor>;
  };
}

/** What saveCheckpoint writes. Tensors are read, not consumed. */
export interface CheckpointContents {
  readonly config: TransformerLSConfig;
  readonly vocab: Vocabulary;
  readonly weights: ReadonlyMap<string, Tensor>;
  readonly training?: { readonly state: TrainingState; readonly tensors: ReadonlyMap<string, Tensor> };
}

async function toRaw(tensors: ReadonlyMap<string, Tensor>): Promise<Map<string, RawTensor>> {
  const out = new Map<string, RawTensor>();
  for (const [name, t] of tensors) {
    if (t.dtype !== 'f32') throw new ConfigError('saveCheckpoint', name, 'an f32 tensor', `a ${t.dtype} tensor`);
    out.set(name, encodeRaw('f32', await t.data() as Float32Array, t.shape));
  }
  return out;
}

function fromRaw(bytes: Uint8Array, file: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, raw] of parseSafetensors(bytes).tensors) {
    const { data, dtype } = decodeRaw(raw, { name });
    if (dtype !== 'f32') throw new FileFormatError('MALFORMED_FILE', FORMAT, `${file} tensor "${name}" has dtype ${raw.dtype}; expected F32 (or a float type), got ${raw.dtype}.`);
    out.set(name, fromArray(data, raw.shape, 'f32'));
  }
  return out;
}

/** Writes `bytes` to `path` and flushes them to disk. */
async function writeSynced(path: string, bytes: Uint8Array | string): Promise<void> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a directory entry list (renames) to disk where the platform allows it. */
async function syncDirectory(path: string): Promise<void> {
  const { open } = await import('node:fs/promises');
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // NOTE: some platforms (Windows) cannot open or fsync a directory; the renames still happen.
  }
}

function folderName(step: number): string {
  return `step-${String(step).padStart(7, '0')}`;
}

/**
 * Writes a checkpoint atomically under `root` (created if needed) as `step-NNNNNNN/` and points
 * `root/latest` at it; older checkpoint folders beyond the newest `keep` (default 1) are removed.
 * Returns the folder's path.
 * @example const path = await saveCheckpoint('runs/brown', { config, vocab, weights: model.stateDict() });
 */
export async function saveCheckpoint(root: string, contents: CheckpointContents, options: { keep?: number } = {}): Promise<string> {
  const { keep = 1 } = options;
  const [{ mkdir, readdir, rename, rm }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  await mkdir(root, { recursive: true });
  const step = contents.training?.state.step ?? 0;
  const existing = new Set(await readdir(root));
  let name = folderName(step);
  for (let i = 2; existing.has(name); i++) name = `${folderName(step)}.${i}`;
  const temporary = join(root, `.tmp-${name}-${Math.random().toString(36).slice(2, 10)}`);
  await mkdir(temporary);
  try {
    const config = { format: FORMAT, version: VERSION, model: contents.config, vocab: contents.vocab.toJSON() };
    await writeSynced(join(temporary, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    await writeSynced(join(temporary, 'model.safetensors'), serializeSafetensors(await toRaw(contents.weights), { format: 'pt' }));
    if (contents.training) {
      await writeSynced(join(temporary, 'training.safetensors'), serializeSafetensors(await toRaw(contents.training.tensors)));
      await writeSynced(join(temporary, 'training.json'), `${JSON.stringify(contents.training.state, null, 2)}\n`);
    }
    await syncDirectory(temporary);
    await rename(temporary, join(root, name));
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  const pointer = join(root, `.tmp-${LATEST}-${Math.random().toString(36).slice(2, 10)}`);
  await writeSynced(pointer, `${name}\n`);
  await rename(pointer, join(root, LATEST));
  await syncDirectory(root);
  const folders = (await readdir(root)).filter((f) => /^step-\d{7}(\.\d+)?$/.test(f) && f !== name);
  const stale = folders.sort().slice(0, Math.max(0, folders.length - (keep - 1)));
  await Promise.all(stale.map((f) => rm(join(root, f), { recursive: true, force: true })));
  return join(root, name);
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new FileFormatError('MALFORMED_FILE', FORMAT, `${what} cannot be read; expected a file at '${path}', got ${(cause as { code?: string }).code ?? cause}.`, { cause });
  }
}

async function readText(path: string, what: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(path, what));
}

function parseJson(text: string, path: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (cause) {
    throw new FileFormatError('MALFORMED_FILE', FORMAT, `'${path}' is not valid JSON; expected a JSON object, got a parse error.`, { cause });
  }
  throw new FileFormatError('MALFORMED_FILE', FORMAT, `'${path}' is not a JSON object; expected an object, got another value.`);
}

/**
 * The checkpoint folder `path` names: `path` itself when it holds config.json, else the folder
 * that `path/latest` points to.
 * @example await resolveCheckpointFolder('runs/brown') // 'runs/brown/step-0001200'
 */
export async function resolveCheckpointFolder(path: string): Promise<string> {
  const [{ stat }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const isFile = async (p: string) => (await stat(p).catch(() => null))?.isFile() ?? false;
  if (await isFile(join(path, 'config.json'))) return path;
  if (await isFile(join(path, LATEST))) return join(path, (await readText(join(path, LATEST), 'the latest pointer')).trim());
  throw new FileFormatError('MALFORMED_FILE', FORMAT, `'${path}' is not a checkpoint; expected a folder with config.json or a 'latest' pointer, got neither.`);
}

/**
 * Reads a checkpoint's JSON only (config, vocabulary, training state if any): cheap, for `info`.
 * @example const { config, vocab } = await readCheckpointConfig('runs/brown');
 */
export async function readCheckpointConfig(path: string): Promise<{ path: string; config: TransformerLSConfig; vocab: Vocabulary; state?: TrainingState }> {
  const [{ stat }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const folder = await resolveCheckpointFolder(path);
  const file = join(folder, 'config.json');
  const json = parseJson(await readText(file, 'config.json'), file);
  if (json.format !== FORMAT || json.version !== VERSION) {
    throw new FileFormatError('UNSUPPORTED_FORMAT', FORMAT, `'${file}' is not a version-${VERSION} longshort checkpoint; expected format '${FORMAT}', got ${JSON.stringify(json.format)} version ${JSON.stringify(json.version)}.`);
  }
  const config = json.model as TransformerLSConfig;
  validateTransformerLSConfig(config);
  const vocab = Vocabulary.fromJSON(json.vocab);
  if (vocab.size !== config.vocabSize) throw new ConfigError('checkpoint', 'vocab', `${config.vocabSize} bytes (the config's vocabSize)`, `${vocab.size} bytes`);
  const stateFile = join(folder, 'training.json');
  if ((await stat(stateFile).catch(() => null)) === null) return { path: folder, config, vocab };
  const state = parseJson(await readText(stateFile, 'training.json'), stateFile) as unknown as TrainingState;
  return { path: folder, config, vocab, state };
}

/**
 * Reads a checkpoint (a folder, or a root with a `latest` pointer). Tensors are created on the
 * current backend; free them with disposeCheckpoint once loaded into a model.
 * @example const ckpt = await loadCheckpoint('runs/brown'); model.loadStateDict(ckpt.weights); disposeCheckpoint(ckpt);
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  const { join } = await import('node:path');
  const { path: folder, config, vocab, state } = await readCheckpointConfig(path);
  const weights = fromRaw(await readBytes(join(folder, 'model.safetensors'), 'model.safetensors'), 'model.safetensors');
  if (!state) return { path: folder, config, vocab, weights };
  const tensors = fromRaw(await readBytes(join(folder, 'training.safetensors'), 'training.safetensors'), 'training.safetensors');
  return { path: folder, config, vocab, weights, training: { state, tensors } };
}

/** Frees a loaded checkpoint's tensors. @example disposeCheckpoint(ckpt) */
export function disposeCheckpoint(checkpoint: Checkpoint): void {
  for (const t of checkpoint.weights.values()) t.dispose();
  for (const t of checkpoint.training?.tensors.values() ?? []) t.dispose();
}

/**
 * Builds the model a checkpoint describes and loads its weights (WeightLoadError when they do not
 * fit its config). Returns the training state too when the checkpoint has one.
 * @example const { model, vocab } = await loadModel('runs/brown'); model.eval();
 */
export async function loadModel(path: string): Promise<{ model: TransformerLSModel; vocab: Vocabulary; path: string; state?: TrainingState }> {
  const checkpoint = await loadCheckpoint(path);
  try {
    const model = new TransformerLSModel(checkpoint.config);
    try {
      model.loadStateDict(checkpoint.weights);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return { model, vocab: checkpoint.vocab, path: checkpoint.path, state: checkpoint.training?.state };
  } finally {
    disposeCheckpoint(checkpoint);
  }
}
