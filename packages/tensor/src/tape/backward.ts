// Reverse-mode autodiff over the graph of GradNodes: topological order from the root, each
// node's gradient rule run without recording, gradients accumulated into upstream slots and into
// leaves' `.grad`. The saved tensors of every visited node are freed afterwards (like PyTorch's
// retain_graph=False), so a second backward through the same graph throws GradError.
import { GradError, formatShape } from '../errors/index.js';
import { add } from '../ops/binary/binary.js';
import { onesLike } from '../ops/creation/creation.js';
import { keep, tidy } from '../scope.js';
import { shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { noGrad } from './grad-mode.js';
import type { GradNode } from './grad-node.js';

function topologicalOrder(root: GradNode): GradNode[] {
  const order: GradNode[] = [];
  const seen = new Set<GradNode>([root]);
  const stack: { node: GradNode; next: number }[] = [{ node: root, next: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next < top.node.links.length) {
      const upstream = top.node.links[top.next++].node;
      if (upstream && !seen.has(upstream)) {
        seen.add(upstream);
        stack.push({ node: upstream, next: 0 });
      }
    } else {
      order.push(top.node);
      stack.pop();
    }
  }
  return order.reverse(); // root first
}

function accumulate(existing: Tensor | null, g: Tensor): Tensor {
  if (!existing) return g;
  const sum = add(existing, g);
  existing.dispose();
  g.dispose();
  return sum;
}

function accumulateIntoLeaf(leaf: Tensor, g: Tensor): void {
  if (leaf.isDisposed || !leaf.requiresGrad) {
    g.dispose();
    return;
  }
  const previous = leaf.grad;
  leaf.grad = keep(previous ? add(previous, g) : g);
  if (previous) {
    previous.dispose();
    g.dispose();
  }
}

export function backward(root: Tensor, seed?: Tensor): void {
  root.assertAlive('backward');
  if (!root.requiresGrad) throw new GradError('backward', 'the tensor does not require gradients; expected a result of ops on tensors with requireGrad(), got a constant.');
  if (!seed && root.size !== 1) {
    throw new GradError('backward', `backward() without a seed needs a scalar; expected size 1, got shape ${formatShape(root.shape)}.\nHint: pass a seed gradient of the same shape.`);
  }
  noGrad(() => {
    const start = seed ? seed.detach() : onesLike(root);
    if (!root.gradNode) {
      accumulateIntoLeaf(root, start);
      return;
    }
    const order = topologicalOrder(root.gradNode);
    const grads = new Map<GradNode, (Tensor | null)[]>();
    grads.set(root.gradNode, Array.from(root.gradNode.outputMeta, (_, i) => (i === root.gradSlot ? start : null)));
    for (const node of order) {
      const outGrads = grads.get(node);
      if (!outGrads) continue;
      grads.delete(node);
      if (node.isFreed) {
        for (const g of outGrads) g?.dispose();
        throw new GradError('backward', 'the graph was already freed by an earlier backward(); expected a fresh graph, got a used one.\nHint: recompute the forward pass before calling backward() again.');
      }
      const ruleGrads = tidy(() => node.op.gradient!({ inputs: node.inputs, outputs: node.outputs, attrs: node.attrs, grads: outGrads }));
      // A rule may pass an output gradient straight through, or return one tensor twice: alias those.
      const seen = new Set<Tensor>(outGrads.filter((g): g is Tensor => g !== null));
      const inGrads = ruleGrads.map((g) => {
        if (!g) return null;
        if (seen.has(g)) return g.detach();
        seen.add(g);
        return g;
      });
      for (const g of outGrads) g?.dispose();
      node.links.forEach((link, i) => {
        const g = inGrads[i];
        if (!g) return;
        const expected = node.inputs[i].shape;
        if (!shapesEqual(g.shape, expected)) {
          throw new GradError(node.op.name, `the gradient rule returned shape ${formatShape(g.shape)} for input ${i}; expected ${formatShape(expected)}.`);
        }
        if (link.node) {
          const slots = grads.get(link.node) ?? Array.from(link.node.outputMeta, () => null);
          slots[link.slot] = accumulate(slots[link.slot], g);
          grads.set(link.node, slots);
        } else if (link.leaf) {
          accumulateIntoLeaf(link.leaf, g);
        } else {
          g.dispose();
        }
      });
    }
    for (const node of order) node.freeSaved();
  });
}
