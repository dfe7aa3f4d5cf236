// Optimizer: the base of AdamW and SGD, shaped like torch.optim.Optimizer: parameter groups with
// their own hyperparameters, per-parameter state, and a state dict that names parameters by
// their index across the groups. A step computes every new value first and only then assigns,
// so an error midway leaves parameters and state as they were.
import { ConfigError, ShapeError, formatShape } from '../errors/index.js';
import { isFloat } from '../dtype.js';
import { copyLike } from '../nn/module.js';
import { assertSameDType } from '../ops/validate.js';
import { keep, tidy } from '../scope.js';
import { shapesEqual } from '../shape.js';
import { noGrad } from '../tape/grad-mode.js';
import { Tensor } from '../tensor.js';

/** The hyperparameters every optimizer has (schedulers change `lr`). */
export interface BaseHyperparameters {
  lr: number;
}

/** Per-parameter state: tensors shaped like the parameter, and numbers (step counts). */
export type ParamState = Record<string, Tensor | number | undefined>;

/** A parameter group: its parameters and its (mutable) hyperparameters. */
export type ParamGroup<H> = H & { readonly params: readonly Tensor[] };

/** A group as given to a constructor: parameters plus overrides of the defaults. */
export type ParamGroupInput<H> = Partial<H> & { readonly params: Iterable<Tensor> };

/** What optimizers accept: parameters (one group) or groups. */
export type OptimizerParams<H> = Iterable<Tensor> | readonly ParamGroupInput<H>[];

/**
 * torch's optimizer state_dict: `state` keyed by the parameter's index across the groups (in
 * group order), `paramGroups` the hyperparameters with `params` as those indices. Tensors are
 * the optimizer's own (not copies); everything else is JSON-able.
 */
export interface OptimizerStateDict<H, S extends ParamState> {
  readonly state: Map<number, S>;
  readonly paramGroups: (H & { params: number[] })[];
}

/** The new value of one parameter and its new state, computed by an optimizer's update rule. */
export interface ParamUpdate<S extends ParamState> {
  readonly value: Tensor;
  readonly state: S;
}

const tensorsOf = (state: ParamState | undefined): Tensor[] => Object.values(state ?? {}).filter((v): v is Tensor => Tensor.isTensor(v));

function toGroups<H>(name: string, params: OptimizerParams<H>): ParamGroupInput<H>[] {
  const items = [...params as Iterable<Tensor | ParamGroupInput<H>>];
  if (items.length === 0) throw new ConfigError(name, 'params', 'at least one parameter', 'an empty list');
  if (items.every((item) => Tensor.isTensor(item))) return [{ params: items as Tensor[] } as unknown as ParamGroupInput<H>];
  if (items.some((item) => Tensor.isTensor(item) || typeof item !== 'object' || item === null || !('params' in item))) {
    throw new ConfigError(name, 'params', 'tensors, or parameter groups { params, ...hyperparameters }', 'a mix');
  }
  return items as ParamGroupInput<H>[];
}

/**
 * The base class of optimizers. Subclasses give the defaults, validate a group's
 * hyperparameters, and write the update of one parameter as a pure function of its value,
 * gradient, group and previous state.
 * @example
 * const opt = new AdamW(model.parameters(), { lr: 3e-4 });
 * tidy(() => loss(model).backward()); opt.step(); model.zeroGrad();
 */
export abstract class Optimizer<H extends BaseHyperparameters, S extends ParamState> {
  readonly paramGroups: ParamGroup<H>[];
  /** Per-parameter state (absent until the parameter's first step). */
  readonly state = new Map<Tensor, S>();

  constructor(readonly name: string, params: OptimizerParams<H>, readonly defaults: H) {
    const seen = new Set<Tensor>();
    this.paramGroups = toGroups(name, params).map(({ params: groupParams, ...overrides }) => {
      const list = [...groupParams];
      for (const p of list) {
        if (!Tensor.isTensor(p) || !isFloat(p.dtype)) throw new ConfigError(name, 'params', 'float tensors', Tensor.isTensor(p) ? `a ${p.dtype} tensor` : typeof p);
        if (seen.has(p)) throw new ConfigError(name, 'params', 'each parameter in one group only', `${p} twice`);
        seen.add(p);
      }
      const group = { ...structuredClone(defaults), ...overrides, params: list } as ParamGroup<H>;
      this.validate(group);
      return group;
    });
  }

  /** Throws ConfigError for invalid hyperparameters of a group. */
  protected abstract validate(group: H): void;

  /** The new value and state of `param` (called under noGrad inside tidy). */
  protected abstract update(param: Tensor, grad: Tensor, group: H, state: S | undefined): ParamUpdate<S>;

  /** All parameters in group order (their position is their index in stateDict()). */
  private flatParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => [...g.params]);
  }

  /** Replaces the state of `param`, keeping the new tensors and freeing the old ones no longer used. */
  private commitState(param: Tensor, state: S): void {
    const next = tensorsOf(state);
    for (const t of next) keep(t);
    for (const old of tensorsOf(this.state.get(param))) if (!next.includes(old)) old.dispose();
    this.state.set(param, state);
  }

  /**
   * One update of every parameter that has a gradient (parameters without one are skipped, as in
   * PyTorch). New values and states are all computed before anything is assigned.
   * @example opt.step();
   */
  step(): void {
    const pending = noGrad(() => tidy(() => {
      const out: { param: Tensor; value: Tensor; state: S }[] = [];
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          param.assertAlive(this.name);
          const grad = param.grad;
          if (!grad) continue;
          assertSameDType(this.name, param, grad, ['param', 'grad']);
          if (!shapesEqual(param.shape, grad.shape)) {
            throw new ShapeError('SHAPE_MISMATCH', this.name, 'grad', 'does not match its parameter', formatShape(param.shape), formatShape(grad.shape));
          }
          out.push({ param, ...this.update(param, grad, group, this.state.get(param)) });
        }
      }
      return out;
    }));
    for (const { param, value, state } of pending) {
      param.assign(value);
      this.commitState(param, state);
    }
  }

  /** Frees the gradients of every parameter (zero_grad(set_to_none=True)). @example opt.zeroGrad(); */
  zeroGrad(): void {
    for (const p of this.flatParams()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /**
   * The state (by parameter index) and the groups' hyperparameters, as torch's state_dict().
   * The tensors are the optimizer's own: read them, do not dispose them.
   * @example const saved = opt.stateDict();
   */
  stateDict(): OptimizerStateDict<H, S> {
    const index = new Map(this.flatParams().map((p, i) => [p, i]));
    const state = new Map([...this.state].map(([p, s]) => [index.get(p)!, { ...s }] as const).sort(([a], [b]) => a - b));
    const paramGroups = this.paramGroups.map(({ params, ...hyper }) => ({ ...structuredClone(hyper), params: params.map((p) => index.get(p)!) }) as unknown as H & { params: number[] });
    return { state, paramGroups };
  }

  /**
   * Restores a stateDict() (of an optimizer over parameters of the same shapes, in the same
   * group layout): hyperparameters and state, copied (not consumed) and cast to each
   * parameter's dtype. Everything is checked and copied before anything is replaced.
   * @example opt.loadStateDict(saved);
   */
  loadStateDict(dict: OptimizerStateDict<H, S>): void {
    const params = this.flatParams();
    const layout = (groups: readonly { params: readonly unknown[] }[]) => groups.map((g) => g.params.length).join(', ');
    if (dict.paramGroups.length !== this.paramGroups.length || layout(dict.paramGroups) !== layout(this.paramGroups)) {
      throw new ConfigError(this.name, 'paramGroups', `groups of sizes [${layout(this.paramGroups)}]`, `[${layout(dict.paramGroups)}]`);
    }
    const hyper = dict.paramGroups.map(({ params: _indices, ...h }) => structuredClone(h) as unknown as H);
    hyper.forEach((h) => this.validate(h));
    for (const [index, state] of dict.state) {
      const param = params[index];
      if (!param) throw new ConfigError(this.name, 'state', `parameter indices in [0, ${params.length})`, String(index));
      for (const [key, value] of Object.entries(state)) {
        if (Tensor.isTensor(value) && !shapesEqual(value.shape, param.shape)) {
          throw new ShapeError('SHAPE_MISMATCH', this.name, `state ${index}.${key}`, 'does not match its parameter', formatShape(param.shape), formatShape(value.shape));
        }
      }
    }
    const copies = noGrad(() => tidy(() => [...dict.state].map(([index, state]) => {
      const param = params[index];
      const copy = Object.fromEntries(Object.entries(state).map(([key, v]) => [key, Tensor.isTensor(v) ? copyLike(param, v, `state ${index}.${key}`, this.name) : v]));
      return [param, copy as S] as const;
    })));
    const loaded = new Set(copies.map(([param]) => param));
    for (const [param, state] of [...this.state]) {
      if (loaded.has(param)) continue;
      for (const t of tensorsOf(state)) t.dispose();
      this.state.delete(param);
    }
    for (const [param, state] of copies) this.commitState(param, state);
    this.paramGroups.forEach((group, i) => Object.assign(group, hyper[i]));
  }

  /** Frees the state tensors (the parameters belong to their module). @example opt.dispose(); */
  dispose(): void {
    for (const state of this.state.values()) for (const t of tensorsOf(state)) t.dispose();
    this.state.clear();
  }
}
