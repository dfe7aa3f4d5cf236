// Memory scopes (tfjs's tidy, made strict): every tensor created inside tidy() is disposed when
// it returns, except what it returns and what keep() marks. tidy() refuses async functions, since
// a scope stack cannot follow an `await`; across awaits use `using` (Tensor is Disposable) or
// explicit dispose(). See docs/adr/0002-memory-ownership.md.
import { TensorError } from './errors/index.js';
import type { Tensor } from './tensor.js';

interface Scope {
  tensors: Set<Tensor>;
}

const stack: Scope[] = [];

/** Registers a newly created tensor with the innermost scope. */
export function trackTensor(t: Tensor): void {
  stack[stack.length - 1]?.tensors.add(t);
}

export function untrackTensor(t: Tensor): void {
  for (const scope of stack) scope.tensors.delete(t);
}

/** Keeps `t` alive past every enclosing tidy(); the caller then owns it. */
export function keep<T extends Tensor>(t: T): T {
  untrackTensor(t);
  return t;
}

function collect(value: unknown, into: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  if (isTensor(value)) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, into, isTensor);
  else if (value instanceof Map) for (const v of value.values()) collect(v, into, isTensor);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, into, isTensor);
  }
}

let isTensorCheck: ((v: unknown) => v is Tensor) | null = null;
/** Set once by tensor.ts (avoids an import cycle). */
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  isTensorCheck = check;
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (in arrays, Maps or
 * plain objects, at any depth) and those passed to keep(). Returned tensors move to the
 * enclosing scope.
 * @example
 * const y = tidy(() => relu(add(x, ones(x.shape)))); // the intermediate ones() tensor is freed
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = { tensors: new Set() };
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    stack.pop();
    for (const t of scope.tensors) t.dispose();
    throw error;
  }
  stack.pop();
  if (result instanceof Promise || (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function')) {
    for (const t of scope.tensors) t.dispose();
    throw new TensorError('BAD_ARGUMENT', 'tidy', 'tidy: the function returned a Promise; expected a synchronous function, got an async one.\nHint: tidy the synchronous parts, and use `using` or dispose() across awaits.');
  }
  const returned = new Set<Tensor>();
  collect(result, returned, isTensorCheck!);
  for (const t of scope.tensors) if (!returned.has(t)) t.dispose();
  const parent = stack[stack.length - 1];
  if (parent) for (const t of returned) if (scope.tensors.has(t)) parent.tensors.add(t);
  return result;
}
