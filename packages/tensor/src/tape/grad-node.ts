// One recorded op on the autograd tape (reverse mode, PyTorch-style graph hanging off tensors).
// A node holds detached aliases of the tensors its gradient rule needs, and is reference-counted
// by its live outputs and by the nodes downstream of it, so disposing the last output of a
// graph frees everything the graph saved.
import type { OpDef } from '../ops/define-op.js';
import type { Tensor } from '../tensor.js';

/** Where the gradient of one input goes: an upstream node's output slot, or a leaf tensor. */
export interface InputLink {
  readonly node: GradNode | null;
  readonly slot: number;
  readonly leaf: Tensor | null;
}

export class GradNode {
  private refs = 0;
  private saved: { inputs: Tensor[]; outputs: Tensor[] } | null;
  /** Shapes and dtypes of the outputs, for zero gradients of unused outputs. */
  readonly outputMeta: { shape: readonly number[]; dtype: Tensor['dtype'] }[];

  constructor(
    readonly op: OpDef<object>,
    readonly attrs: object,
    inputs: Tensor[],
    outputs: Tensor[],
    readonly links: readonly InputLink[],
  ) {
    this.saved = { inputs, outputs };
    this.outputMeta = outputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
    for (const link of links) link.node?.retain();
  }

  get isFreed(): boolean {
    return this.saved === null;
  }

  get inputs(): readonly Tensor[] {
    return this.saved?.inputs ?? [];
  }

  get outputs(): readonly Tensor[] {
    return this.saved?.outputs ?? [];
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (--this.refs > 0) return;
    this.freeSaved();
    for (const link of this.links) link.node?.release();
  }

  /** Drops the saved tensors (after backward, or when the graph dies). Idempotent. */
  freeSaved(): void {
    if (!this.saved) return;
    for (const t of this.saved.inputs) t.dispose();
    for (const t of this.saved.outputs) t.dispose();
    this.saved = null;
  }
}
