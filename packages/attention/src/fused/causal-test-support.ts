// Test support for the fused causal long-short core (spec B.5 steps 5–6): a case's input shapes and
// random data, and the loss sum(context · a) + sum(lse · b) whose forward and backward the kernel
// tests (JS, wasm, WebGPU) compare. Not published.
import { add, fromArray, mul, sum, withImpl, type Tensor } from '@longshort/tensor';
import { randomGenerator, randomValues } from '@longshort/tensor/testing';
import { causalLongShortCore, type CausalCoreAttrs, type CausalCoreInputs } from './causal-core.js';

/** One configuration of the core. */
export interface CausalCase {
  B: number;
  H: number;
  M: number;
  W: number;
  d: number;
  attrs: CausalCoreAttrs;
  seed: number;
  /** Pass the batched inputs as views one batch row into their storage (a nonzero offset). */
  offset?: boolean;
}

/** The core's inputs, in order. */
export const causalInputNames = ['q', 'u', 'v', 'kWin', 'vWin', 'rWin', 'kBar', 'vBar', 'rChunk'] as const;

/** The outputs a run returns, in order: context, lse, then the gradients of the nine inputs. */
export const causalOutputNames = ['context', 'lse', ...causalInputNames.map((name) => `d${name}`)];

/**
 * The inputs' stored shapes (one extra batch row when the inputs are offset views).
 * @example causalShapes({ B: 1, H: 1, M: 4, W: 2, d: 2, attrs, seed: 0 })[0] // [1, 1, 4, 2]
 */
export function causalShapes({ B: batch, H, M, W, d, attrs: { chunkSize: l, chunkRank: r, memoryChunks }, offset }: CausalCase): number[][] {
  const B = batch + (offset ? 1 : 0);
  const N = (memoryChunks + M / l) * r;
  return [[B, H, M, d], [H, d], [H, d], [B, H, W + M, d], [B, H, W + M, d], [H, W, d], [B, H, N, d], [B, H, N, d], [H, N, d]];
}

/** A case's random data. */
export interface CausalData {
  readonly shapes: number[][];
  /** The nine inputs' values, in [−1.5, 1.5]. */
  readonly values: Float64Array[];
  /** The weights a (B, H, M, d) and b (B, H, M) of the loss. */
  readonly seedContext: Float64Array;
  readonly seedLse: Float64Array;
}

/**
 * The random data of case `c` (from its seed).
 * @example const data = causalData(c); const q = fromArray(data.values[0], data.shapes[0], 'f32', backend);
 */
export function causalData(c: CausalCase): CausalData {
  const g = randomGenerator(c.seed);
  const shapes = causalShapes(c);
  const values = shapes.map((s) => randomValues(g, s.reduce((a, b) => a * b, 1), { low: -1.5, high: 1.5 }));
  const seedContext = randomValues(g, c.B * c.H * c.M * c.d);
  const seedLse = randomValues(g, c.B * c.H * c.M);
  return { shapes, values, seedContext, seedLse };
}

/**
 * The core on `tensors` (the nine inputs in order) on the kernel (`impl` 'auto') or the composed
 * path, then the backward of sum(context · a) + sum(lse · b); returns context and lse. Call inside tidy.
 * @example const { context, lse } = tidy(() => causalLoss(tensors, data, c.attrs));
 */
export function causalLoss(tensors: readonly Tensor[], data: CausalData, attrs: CausalCoreAttrs, impl: 'auto' | 'composed' = 'auto'): { context: Tensor; lse: Tensor } {
  const inputs = Object.fromEntries(causalInputNames.map((name, i) => [name, tensors[i]])) as unknown as CausalCoreInputs;
  const { context, lse } = withImpl(impl, () => causalLongShortCore(inputs, attrs));
  const weighted = (t: Tensor, values: Float64Array) => sum(mul(t, fromArray(values, t.shape, t.dtype, t.backend)));
  add(weighted(context, data.seedContext), weighted(lse, data.seedLse)).backward();
  return { context, lse };
}
