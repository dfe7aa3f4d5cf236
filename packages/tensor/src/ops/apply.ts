// Dispatch (architecture guide B.4): view rule → layout only; kernel on the tensors' backend;
// else the op's decomposition; else KernelNotFoundError. Under gradient recording, an op whose
// kernel has no gradient rule runs its decomposition instead, so autodiff goes through it.
import { getBackend } from '../backend/registry.js';
import type { Backend, TensorView } from '../backend/spec.js';
import { isFloat } from '../dtype.js';
import { BackendError, GradError, KernelNotFoundError } from '../errors/index.js';
import { sizeOf } from '../shape.js';
import { tidy } from '../scope.js';
import { Storage } from '../storage.js';
import { isGradEnabled } from '../tape/grad-mode.js';
import { GradNode, type InputLink } from '../tape/grad-node.js';
import { Tensor } from '../tensor.js';
import { contiguousOp } from './contiguous/contiguous.js';
import type { Layout, OpDef } from './define-op.js';

export type Impl = 'auto' | 'composed';

let defaultImpl: Impl = 'auto';

/**
 * Runs `fn` with every fusable op forced onto its decomposition (`'composed'`), so that fused
 * kernels can be compared against their reference.
 */
export function withImpl<T>(impl: Impl, fn: () => T): T {
  const previous = defaultImpl;
  defaultImpl = impl;
  try {
    return fn();
  } finally {
    defaultImpl = previous;
  }
}

function backendOf(op: string, inputs: readonly Tensor[]): Backend {
  if (inputs.length === 0) return getBackend();
  const backend = inputs[0].backend;
  for (let i = 1; i < inputs.length; i++) {
    if (inputs[i].backend !== backend) {
      throw new BackendError('BACKEND_MISMATCH', backend.name,
        `${op}: input ${i} lives on backend '${inputs[i].backend.name}'; expected all inputs on '${backend.name}', got a mix.`, { kernel: op });
    }
  }
  return backend;
}

export function viewOf(t: Tensor): TensorView {
  return { data: t.storage.data, dtype: t.dtype, shape: t.shape, strides: t.strides, offset: t.offset };
}

/** Applies `def` to `inputs`: the single entry point of every op. */
export function applyOp<A extends object>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A, impl: Impl = defaultImpl): Tensor[] {
  for (const t of inputs) t.assertAlive(def.name);
  const backend = backendOf(def.name, inputs);
  const recording = isGradEnabled() && def.differentiable !== false && inputs.some((t) => t.requiresGrad);

  if (def.view) return record(def, inputs, attrs, [applyView(def, inputs[0], attrs)], recording);

  const hasKernel = backend.hasKernel(def.name);
  const preferDecomposition = impl === 'composed' || (recording && !def.gradient);
  if (def.decompose && (!hasKernel || preferDecomposition)) return tidy(() => def.decompose!(inputs, attrs));
  if (!hasKernel) throw new KernelNotFoundError(def.name, backend.name, []);
  if (recording && !def.gradient) throw new GradError(def.name, 'this op has no gradient rule and no decomposition; expected a differentiable op, got one without a gradient.');
  return record(def, inputs, attrs, runKernel(def, backend, inputs, attrs), recording);
}

function applyView<A extends object>(def: OpDef<A>, input: Tensor, attrs: A): Tensor {
  let layout: Layout | null = def.view!({ ...viewOf(input) }, attrs);
  if (layout) return new Tensor(input.storage.retain(), layout.shape, input.dtype, layout.strides, layout.offset);
  const copy = contiguous(input);
  layout = def.view!({ ...viewOf(copy) }, attrs)!;
  const out = new Tensor(copy.storage.retain(), layout.shape, input.dtype, layout.strides, layout.offset);
  copy.dispose();
  return out;
}

function runKernel<A extends object>(def: OpDef<A>, backend: Backend, inputs: readonly Tensor[], attrs: A): Tensor[] {
  const strided = backend.acceptsStrided?.(def.name) ?? false;
  const temporaries: Tensor[] = [];
  const ready = inputs.map((t) => {
    if (strided || t.isContiguous) return t;
    const c = contiguous(t);
    temporaries.push(c);
    return c;
  });
  try {
    const metas = def.infer(ready, attrs);
    const outputs = metas.map((m) => new Tensor(Storage.allocate(backend, m.dtype, sizeOf(m.shape)), m.shape, m.dtype));
    try {
      backend.run(def.name, ready.map(viewOf), outputs.map(viewOf), attrs);
    } catch (error) {
      for (const t of outputs) t.dispose();
      throw error;
    }
    return outputs;
  } finally {
    for (const t of temporaries) t.dispose();
  }
}

/** A detached alias: shares storage, owned by a graph node, not by any scope. */
function alias(t: Tensor): Tensor {
  return new Tensor(t.storage.retain(), t.shape, t.dtype, t.strides, t.offset, false);
}

function record<A extends object>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A, outputs: Tensor[], recording: boolean): Tensor[] {
  if (!recording) return outputs;
  const links: InputLink[] = inputs.map((t) => t.gradNode
    ? { node: t.gradNode, slot: t.gradSlot, leaf: null }
    : { node: null, slot: 0, leaf: t.requiresGrad ? t : null });
  const node = new GradNode(def as unknown as OpDef<object>, attrs, inputs.map(alias), outputs.map(alias), links);
  outputs.forEach((t, slot) => {
    if (!isFloat(t.dtype)) return;
    t.gradNode = node;
    t.gradSlot = slot;
    t.requiresGrad = true;
    node.retain();
  });
  // A node whose outputs are all non-float is never reachable: release what it saved now.
  if (!outputs.some((t) => isFloat(t.dtype))) {
    node.retain();
    node.release();
  }
  return outputs;
}

function contiguous(t: Tensor): Tensor {
  return applyOp(contiguousOp, [t], {})[0];
}
