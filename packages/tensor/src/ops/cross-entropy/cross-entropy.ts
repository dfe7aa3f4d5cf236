// crossEntropy(logits, targets): a fusable composite with torch.nn.functional.cross_entropy
// semantics for class-index targets (ignore_index, label_smoothing, weight, reduction), except
// that the class axis is the LAST one: logits (..., C) and targets (...) (PyTorch: (N, C, d…)).
import { ConfigError, ShapeError, formatShape } from '../../errors/index.js';
import { shapesEqual } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { applyOp } from '../apply.js';
import { add, div, eq, mul, ne } from '../binary/binary.js';
import { cast } from '../cast/cast.js';
import { arange } from '../creation/creation.js';
import { defineOp } from '../define-op.js';
import { logSoftmax } from '../log-softmax/log-softmax.js';
import { sum } from '../reduce/reduce.js';
import { neg } from '../unary/unary.js';
import { unsqueeze } from '../views/views.js';
import { where } from '../where/where.js';
import { assertDType, assertFloat, assertSameDType } from '../validate.js';

export type CrossEntropyReduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** Targets equal to this contribute nothing, not even to the mean's count (default −100). */
  readonly ignoreIndex?: number;
  /** ε in [0, 1]: the target distribution is (1 − ε)·one-hot + ε/C (default 0). */
  readonly labelSmoothing?: number;
  /** 'mean' (default) over the non-ignored targets (weighted by weight[target]), 'sum' or 'none'. */
  readonly reduction?: CrossEntropyReduction;
  /** Per-class rescaling weights, shape (C). */
  readonly weight?: Tensor | null;
}

interface CrossEntropyAttrs {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  readonly reduction: CrossEntropyReduction;
  readonly hasWeight: boolean;
}

const reductions: readonly string[] = ['mean', 'sum', 'none'];

export const crossEntropyOp = defineOp<CrossEntropyAttrs>({
  name: 'crossEntropy',
  infer: ([logits, targets], { reduction }) => [{ shape: reduction === 'none' ? targets.shape : [], dtype: logits.dtype }],
  decompose: ([logits, targets, weight], { ignoreIndex, labelSmoothing: epsilon, reduction, hasWeight }) => {
    const classes = logits.shape[logits.rank - 1];
    const logProbs = logSoftmax(logits, -1); // (..., C)
    // NOTE: the target's log-probability is picked with a one-hot mask, (..., 1) == (C) → (..., C).
    const isTarget = eq(unsqueeze(targets, -1), arange(classes, undefined, 1, 'i32', logits.backend));
    const valid = ne(targets, ignoreIndex); // (...)
    const picked = sum(where(isTarget, logProbs, 0), -1); // log p[target], (...)
    const targetWeight = hasWeight ? sum(where(isTarget, weight, 0), -1) : null; // weight[target], (...)
    let loss = neg(targetWeight ? mul(targetWeight, picked) : picked);
    if (epsilon > 0) {
      // NOTE: only computed when ε > 0, so that −∞ logits of masked classes give no 0·(−∞) = NaN.
      const smooth = neg(sum(hasWeight ? mul(logProbs, weight) : logProbs, -1)); // Σ_c −w_c·log p_c, (...)
      loss = add(mul(loss, 1 - epsilon), mul(smooth, epsilon / classes));
    }
    // NOTE: ignored targets are selected away (not multiplied by 0), as their terms may be ±∞.
    const perTarget = where(valid, loss, 0);
    if (reduction === 'none') return [perTarget];
    if (reduction === 'sum') return [sum(perTarget)];
    const count = targetWeight ? where(valid, targetWeight, 0) : cast(valid, logits.dtype);
    return [div(sum(perTarget), sum(count))];
  },
});

/** Throws when a target is neither a class index nor ignoreIndex (only where reads are synchronous). */
function assertTargetsInRange(targets: Tensor, classes: number, ignoreIndex: number): void {
  const backend = targets.backend;
  if (!backend.readSync || !backend.capabilities.syncRead) return;
  const values = targets.dataSync();
  for (let i = 0; i < values.length; i++) {
    const t = values[i];
    if (t !== ignoreIndex && (t < 0 || t >= classes)) {
      throw new ConfigError('crossEntropy', 'targets', `class indices in [0, ${classes}) or ignoreIndex (${ignoreIndex})`, `${t} at flat index ${i}`);
    }
  }
}

/**
 * Cross-entropy between `logits` (..., C) and class-index `targets` (...), i32, with PyTorch's
 * semantics: per target −w[t]·log softmax(logits)[t], with label smoothing
 * (1 − ε)·that + (ε/C)·Σ_c −w[c]·log p_c; 'mean' divides the sum by Σ w[target] over the
 * non-ignored targets (their count without weights). When every target is ignored (or there are
 * none), 'mean' gives NaN (0/0), as PyTorch does. Targets outside [0, C) other than ignoreIndex
 * throw on backends with synchronous reads (the CPU); elsewhere they match no class.
 * @example crossEntropy(logits, targets, { ignoreIndex: 0, labelSmoothing: 0.1 }) // (B, T, V), (B, T) → ()
 */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { ignoreIndex = -100, labelSmoothing = 0, reduction = 'mean', weight = null } = options;
  assertFloat('crossEntropy', 'logits', logits);
  assertDType('crossEntropy', 'targets', targets, ['i32']);
  const classes = logits.shape[logits.rank - 1];
  if (logits.rank === 0 || classes === 0) {
    throw new ShapeError('SHAPE_MISMATCH', 'crossEntropy', 'logits', 'have no class axis', 'shape (..., C) with C >= 1', formatShape(logits.shape));
  }
  if (!shapesEqual(targets.shape, logits.shape.slice(0, -1))) {
    throw new ShapeError('SHAPE_MISMATCH', 'crossEntropy', 'targets', 'do not match the logits', `logits.shape[:-1] = ${formatShape(logits.shape.slice(0, -1))}`, formatShape(targets.shape));
  }
  if (weight) {
    assertSameDType('crossEntropy', logits, weight, ['logits', 'weight']);
    if (!shapesEqual(weight.shape, [classes])) {
      throw new ShapeError('SHAPE_MISMATCH', 'crossEntropy', 'weight', 'does not have one value per class', formatShape([classes]), formatShape(weight.shape));
    }
  }
  if (!Number.isInteger(ignoreIndex)) throw new ConfigError('crossEntropy', 'ignoreIndex', 'an integer', String(ignoreIndex));
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ConfigError('crossEntropy', 'labelSmoothing', 'a number in [0, 1]', String(labelSmoothing));
  if (!reductions.includes(reduction)) throw new ConfigError('crossEntropy', 'reduction', "'mean' | 'sum' | 'none'", String(reduction));
  assertTargetsInRange(targets, classes, ignoreIndex);
  const inputs = weight ? [logits, targets, weight] : [logits, targets];
  return applyOp(crossEntropyOp, inputs, { ignoreIndex, labelSmoothing, reduction, hasWeight: !!weight })[0];
}
