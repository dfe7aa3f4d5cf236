// Test support for the fused bidirectional long-short core (spec A.3 steps 5–9): a case's random
// inputs and the loss sum(context · a) + sum(lse · b) whose forward and backward the kernel tests
// (JS, wasm, WebGPU) compare. Not published.
import { add, fromArray, mul, sum, withImpl, type Tensor } from '@longshort/tensor';
import { randomBools, randomGenerator, randomValues } from '@longshort/tensor/testing';
import { longShortCore, type LongShortCoreAttrs } from './long-short-core.js';

/** One configuration of the core. */
export interface CoreCase {
  B: number;
  H: number;
  n: number;
  d: number;
  /** Landmarks r'. */
  rp: number;
  w: number;
  diagonal?: boolean;
  /** Probability that a position is padding. */
  padding: number;
  seed: number;
  /** Pass the inputs as views at a nonzero offset into their storage (each test says how). */
  offset?: boolean;
}

/** The outputs a run returns, in order: context, lse, then the gradients of q, k, v, kBar, vBar. */
export const coreOutputNames = ['context', 'lse', 'dq', 'dk', 'dv', 'dkBar', 'dvBar'] as const;

/** A case's random data. */
export interface CoreData {
  /** Stored shapes of q, k, v (B + lead, H, n, d) and kBar, vBar (B + lead, H, r', d). */
  readonly shapes: number[][];
  /** Their values, in [−1.5, 1.5]. */
  readonly values: Float64Array[];
  /** valid (B + lead, n): 1 where a position is not padding. */
  readonly valid: Float64Array;
  /** The weights a (B, H, n, d) and b (B, H, n) of the loss. */
  readonly seedContext: Float64Array;
  readonly seedLse: Float64Array;
  readonly attrs: LongShortCoreAttrs;
}

/**
 * The random data of case `c` (from its seed), with `lead` extra rows on the inputs' batch axis.
 * @example const data = coreData(c); const q = fromArray(data.values[0], data.shapes[0], 'f32', backend);
 */
export function coreData(c: CoreCase, lead = 0): CoreData {
  const g = randomGenerator(c.seed);
  const B = c.B + lead;
  const shapes = [[B, c.H, c.n, c.d], [B, c.H, c.n, c.d], [B, c.H, c.n, c.d], [B, c.H, c.rp, c.d], [B, c.H, c.rp, c.d]];
  const values = shapes.map((s) => randomValues(g, s.reduce((a, b) => a * b, 1), { low: -1.5, high: 1.5 }));
  const valid = randomBools(g, B * c.n, 1 - c.padding);
  const seedContext = randomValues(g, c.B * c.H * c.n * c.d);
  const seedLse = randomValues(g, c.B * c.H * c.n);
  return { shapes, values, valid, seedContext, seedLse, attrs: { window: c.w, diagonal: c.diagonal ?? false } };
}

/**
 * The core on `inputs` (q, k, v, kBar, vBar) and `valid` on the kernel (`impl` 'auto') or the
 * composed path, then the backward of sum(context · a) + sum(lse · b); returns context and lse.
 * Call inside tidy.
 * @example const { context, lse } = tidy(() => coreLoss(inputs, valid, data));
 */
export function coreLoss(inputs: readonly Tensor[], valid: Tensor, data: CoreData, impl: 'auto' | 'composed' = 'auto'): { context: Tensor; lse: Tensor } {
  const [q, k, v, kBar, vBar] = inputs;
  const { context, lse } = withImpl(impl, () => longShortCore(q, k, v, kBar, vBar, valid, data.attrs));
  const weighted = (t: Tensor, values: Float64Array) => sum(mul(t, fromArray(values, t.shape, t.dtype, t.backend)));
  add(weighted(context, data.seedContext), weighted(lse, data.seedLse)).backward();
  return { context, lse };
}
