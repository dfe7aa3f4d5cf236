// Op definitions (architecture guide B.4). An op has one name everywhere, an `infer` rule for its
// outputs, and either per-backend kernels (looked up by name), a view rule (zero-copy layout
// change), a decomposition into other ops, or both a kernel and a decomposition (a fusable op,
// whose kernel is optional and whose decomposition is the reference).
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';

export interface TensorMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface GradContext<A> {
  /** The op's inputs as they were (detached: rules compute with them, nothing is recorded). */
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: A;
  /** Gradient of the loss with respect to each output; null where no gradient flowed. */
  readonly grads: readonly (Tensor | null)[];
}

export interface OpDef<A extends object = object> {
  readonly name: string;
  /** Output shapes and dtypes. The front end has validated the inputs already. */
  infer(inputs: readonly TensorMeta[], attrs: A): TensorMeta[];
  /** Vector-Jacobian product: the gradient with respect to each input (null = none). */
  gradient?(ctx: GradContext<A>): (Tensor | null)[];
  /** The op written with other ops: the reference of a fusable op, the body of a composite. */
  decompose?(inputs: readonly Tensor[], attrs: A): Tensor[];
  /**
   * For view ops: the output layout over the input's storage, or null when the input's strides
   * do not allow a view (the input is then made contiguous first).
   */
  view?(input: TensorMeta & Layout, attrs: A): Layout | null;
  /** False for ops whose outputs carry no gradient (comparisons, argmax). Default true. */
  readonly differentiable?: boolean;
}

/** Attribute-less ops use this. */
export type NoAttrs = Record<string, never>;

const definitions = new Map<string, OpDef<object>>();

/**
 * Defines an op. Packages outside the core (attention) define theirs the same way and register
 * kernels for it on each backend.
 * @example
 * const double = defineOp<NoAttrs>({
 *   name: 'double',
 *   infer: ([x]) => [x],
 *   decompose: ([x]) => [add(x, x)],
 * });
 */
export function defineOp<A extends object>(def: OpDef<A>): OpDef<A> {
  definitions.set(def.name, def as unknown as OpDef<object>);
  return def;
}

export function getOpDef(name: string): OpDef<object> | undefined {
  return definitions.get(name);
}
