// Module: the base class of layers and models. Parameters are found by walking the instance's
// fields (tinygrad nn/state.py get_state_dict) and named with PyTorch's dotted state_dict keys
// (`layers.0.attn.proj_key.weight`, field names verbatim); loadStateDict checks every key and
// shape before it copies anything (nanoGPT's from_pretrained).
import type { Backend } from '../backend/spec.js';
import { ConfigError, WeightLoadError, type WeightProblems } from '../errors/index.js';
import { cast } from '../ops/cast/cast.js';
import { contiguous } from '../ops/contiguous/contiguous.js';
import { fromArray } from '../ops/creation/creation.js';
import { keep, tidy } from '../scope.js';
import { shapesEqual } from '../shape.js';
import { noGrad } from '../tape/grad-mode.js';
import { Tensor } from '../tensor.js';
import { isParameterLike } from './parameter.js';

const moduleMarker = Symbol.for('@longshort/tensor.Module');

interface BufferSlot {
  readonly tensor: Tensor;
  readonly persistent: boolean;
}

/** One tensor found by the walk, under one of its names. */
interface Entry {
  readonly name: string;
  readonly tensor: Tensor;
  readonly kind: 'parameter' | 'buffer';
  readonly persistent: boolean;
}

export interface RegisterBufferOptions {
  /** Whether the buffer is part of stateDict() (default true, as in PyTorch). */
  readonly persistent?: boolean;
}

export interface LoadStateDictOptions {
  /** Throw on missing and unexpected keys too, not only on mis-shaped ones (default true). */
  readonly strict?: boolean;
}

/** What a non-strict load skipped (torch's `_IncompatibleKeys`). */
export interface LoadStateDictResult {
  readonly missingKeys: string[];
  readonly unexpectedKeys: string[];
}

/** A state dict as a Map or as a plain object of tensors. */
export type StateDictInput = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** Drops later entries whose tensor was already listed (tied parameters, shared modules). */
function uniqueByTensor(entries: readonly Entry[]): [string, Tensor][] {
  const seen = new Set<Tensor>();
  const out: [string, Tensor][] = [];
  for (const { name, tensor } of entries) {
    if (seen.has(tensor)) continue;
    seen.add(tensor);
    out.push([name, tensor]);
  }
  return out;
}

/**
 * A fresh copy of `source` on `target`'s backend with `target`'s dtype: what assign() consumes
 * when a state dict (of a module or an optimizer) is loaded. `key` names the entry in errors.
 * @example target.assign(copyLike(target, loaded, 'fc.weight'))
 */
export function copyLike(target: Tensor, source: Tensor, key: string, op = 'loadStateDict'): Tensor {
  if (!Tensor.isTensor(source)) throw new ConfigError(op, key, 'a Tensor', typeof source);
  source.assertAlive(op);
  // NOTE: another backend's tensor is moved through the host, so it must allow synchronous reads
  // (the CPU does; dataSync() throws a BackendError elsewhere).
  const local = source.backend === target.backend ? source : transfer(source, target.backend);
  if (local.dtype !== target.dtype) return cast(local, target.dtype);
  return local === source ? contiguous(source) : local;
}

function transfer(source: Tensor, backend: Backend): Tensor {
  return fromArray(source.dataSync(), source.shape, source.dtype, backend);
}

/**
 * The base of every layer and model. Fields holding a Parameter (or a leaf tensor requiring
 * gradients), a Module, or an array of them are found automatically; buffers are registered
 * with registerBuffer(). A module owns its parameters and buffers: they belong to no tidy()
 * scope, and dispose() frees them. (A plain tensor field, e.g. `tensor(v).requireGrad()`, does
 * belong to the scope it was made in: wrap it in a Parameter to build the module inside tidy().)
 * @example
 * class Mlp extends Module {
 *   readonly fc1 = new Linear(8, 32);
 *   readonly fc2 = new Linear(32, 8);
 *   forward(x: Tensor) { return tidy(() => this.fc2.forward(relu(this.fc1.forward(x)))); }
 * }
 */
export abstract class Module {
  readonly [moduleMarker] = true;
  /** Training mode (dropout active); set for the whole tree by train() and eval(). */
  training = true;
  readonly #buffers = new Map<string, BufferSlot>();

  /** True for a Module, also one from another copy of this package. @example Module.isModule(new Linear(2, 2)) // true */
  static isModule(value: unknown): value is Module {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[moduleMarker] === true;
  }

  /**
   * The (name, value) pairs the walk looks at: by default this module's own fields, in
   * declaration order. Containers override it (ModuleList names its items 0, 1, …).
   */
  protected members(): [string, unknown][] {
    return Object.entries(this);
  }

  /**
   * Walks the tree in PyTorch's state_dict order: a module's parameters, then its buffers, then
   * its children. A module met again below itself (a cycle) is not entered twice.
   */
  private walk(prefix: string, ancestors: Set<Module>, entries: Entry[], modules: [string, Module][]): void {
    ancestors.add(this);
    modules.push([prefix.slice(0, -1), this]);
    const children: [string, Module][] = [];
    const visit = (name: string, value: unknown) => {
      if (Module.isModule(value)) children.push([name, value]);
      else if (isParameterLike(value)) entries.push({ name: prefix + name, tensor: value, kind: 'parameter', persistent: true });
    };
    for (const [key, value] of this.members()) {
      if (Array.isArray(value)) value.forEach((item, i) => visit(`${key}.${i}`, item));
      else visit(key, value);
    }
    for (const [name, { tensor, persistent }] of this.#buffers) entries.push({ name: prefix + name, tensor, kind: 'buffer', persistent });
    for (const [name, child] of children) if (!ancestors.has(child)) child.walk(`${prefix}${name}.`, ancestors, entries, modules);
    ancestors.delete(this);
  }

  private collect(): { entries: Entry[]; modules: [string, Module][] } {
    const entries: Entry[] = [];
    const modules: [string, Module][] = [];
    this.walk('', new Set(), entries, modules);
    return { entries, modules };
  }

  /**
   * Every module of the tree with its dotted name (this one is ''), each listed once.
   * @example for (const [name, m] of model.namedModules()) console.log(name, m.constructor.name);
   */
  namedModules(): [string, Module][] {
    const seen = new Set<Module>();
    return this.collect().modules.filter(([, m]) => !seen.has(m) && seen.add(m));
  }

  /**
   * Parameters with their dotted names; a tensor reachable under several names (tied weights)
   * is listed once, under its first name, as torch's named_parameters().
   * @example model.namedParameters() // [['layers.0.attn.proj_key.weight', Tensor], …]
   */
  namedParameters(): [string, Tensor][] {
    return uniqueByTensor(this.collect().entries.filter((e) => e.kind === 'parameter'));
  }

  /** The parameters, each once. @example new AdamW(model.parameters()) */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Buffers (persistent or not) with their dotted names, each tensor once. @example model.namedBuffers() */
  namedBuffers(): [string, Tensor][] {
    return uniqueByTensor(this.collect().entries.filter((e) => e.kind === 'buffer'));
  }

  /**
   * Registers a buffer: state that is not trained (a position index, running statistics). The
   * module takes ownership of `t` (it survives tidy() and is freed by dispose()); registering a
   * new tensor under an existing name frees the old one. Persistent buffers are in stateDict().
   * @example this.registerBuffer('relative_position_index', fromArray(index, [n, n], 'i32'))
   */
  registerBuffer(name: string, t: Tensor, options: RegisterBufferOptions = {}): Tensor {
    const { persistent = true } = options;
    if (name === '' || name.includes('.')) throw new ConfigError(this.constructor.name, 'buffer name', 'a non-empty name without dots', JSON.stringify(name));
    if (name in this) throw new ConfigError(this.constructor.name, 'buffer name', 'a name that is not a field of the module', JSON.stringify(name));
    if (!Tensor.isTensor(t)) throw new ConfigError(this.constructor.name, `buffer '${name}'`, 'a Tensor', typeof t);
    t.assertAlive('registerBuffer');
    const previous = this.#buffers.get(name);
    if (previous && previous.tensor !== t) previous.tensor.dispose();
    this.#buffers.set(name, { tensor: keep(t), persistent });
    return t;
  }

  /**
   * A buffer of this module by name; ConfigError when there is none.
   * @example const index = this.buffer('relative_position_index');
   */
  buffer(name: string): Tensor {
    const slot = this.#buffers.get(name);
    if (!slot) throw new ConfigError(this.constructor.name, 'buffer', `one of [${[...this.#buffers.keys()].join(', ')}]`, JSON.stringify(name));
    return slot.tensor;
  }

  /**
   * Sets training mode on this module and every module below it. Returns this.
   * @example model.train();
   */
  train(flag = true): this {
    for (const [, m] of this.namedModules()) m.training = flag;
    return this;
  }

  /** Evaluation mode for the whole tree (train(false)). Returns this. @example model.eval(); */
  eval(): this {
    return this.train(false);
  }

  /**
   * Parameters and persistent buffers by dotted name. A tied tensor appears under every name
   * (as in PyTorch). The values are the module's own tensors, not copies: do not dispose them.
   * @example for (const [name, t] of model.stateDict()) console.log(name, t.shape);
   */
  stateDict(): Map<string, Tensor> {
    return new Map(this.collect().entries.filter((e) => e.persistent).map((e) => [e.name, e.tensor]));
  }

  /**
   * Copies `dict` into the parameters and persistent buffers, keeping their identity (optimizers
   * and tied fields see the new values), casting dtypes and moving backends where needed. First
   * it compares key sets and shapes and throws one WeightLoadError listing every missing,
   * unexpected and mis-shaped key, before anything is copied; with `strict: false` only
   * mis-shaped keys throw and the skipped keys are returned. `dict` is not consumed.
   * @example model.loadStateDict(checkpoint) // Map<string, Tensor> or Record<string, Tensor>
   */
  loadStateDict(dict: StateDictInput, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const { strict = true } = options;
    const own = this.stateDict();
    const given: ReadonlyMap<string, Tensor> = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const missing = [...own.keys()].filter((k) => !given.has(k));
    const unexpected = [...given.keys()].filter((k) => !own.has(k));
    const misshaped: WeightProblems['misshaped'] = [];
    for (const [key, target] of own) {
      const source = given.get(key);
      if (source && !shapesEqual(source.shape, target.shape)) misshaped.push({ key, expected: [...target.shape], actual: [...source.shape] });
    }
    if (misshaped.length || (strict && (missing.length || unexpected.length))) {
      throw new WeightLoadError(this.constructor.name, strict ? { missing, unexpected, misshaped } : { missing: [], unexpected: [], misshaped });
    }
    const targets = [...own].filter(([key]) => given.has(key));
    const copies = noGrad(() => tidy(() => targets.map(([key, target]) => copyLike(target, given.get(key)!, key))));
    targets.forEach(([, target], i) => target.assign(copies[i]));
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  /**
   * Frees every parameter's gradient (torch's zero_grad(set_to_none=True)).
   * @example model.zeroGrad();
   */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** The number of trainable values (each tied tensor counted once). @example new Linear(3, 2).numParameters() // 8 */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * Frees every parameter (with its gradient) and buffer of the tree. Idempotent.
   * @example model.dispose();
   */
  dispose(): void {
    for (const { tensor } of this.collect().entries) tensor.dispose();
  }
}
