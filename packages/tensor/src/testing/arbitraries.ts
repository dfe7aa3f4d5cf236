// Seeded random test data (tinygrad's fuzz_shape_ops style): values, shapes of rank 0–4 with
// zero-size dimensions, shapes that broadcast with a given one and axis subsets, all drawn from
// the core Generator (xoshiro128**), so that a seed names the same data on every platform.
import { Generator } from '../random/generator.js';

export interface ShapeOptions {
  /** Smallest rank (default 0). */
  readonly minRank?: number;
  /** Largest rank (default 4). */
  readonly maxRank?: number;
  /** Largest dimension (default 4). */
  readonly maxDim?: number;
  /** Probability that a dimension is 0 (default 0.1). */
  readonly zeroProbability?: number;
}

export interface ValueOptions {
  /** Lower bound of the uniform draw (default −1). */
  readonly low?: number;
  /** Upper bound of the uniform draw (default 1). */
  readonly high?: number;
  /** Points to stay away from (kinks and poles: 0 for abs, integers for floor, …). */
  readonly avoid?: readonly number[];
  /** Smallest distance kept from every point of `avoid` (default 0.05). */
  readonly margin?: number;
}

/**
 * A seeded generator for test data.
 * @example const g = randomGenerator(seedFor('add', 1));
 */
export function randomGenerator(seed: number): Generator {
  return new Generator(seed);
}

/**
 * A 32-bit seed derived from a name and a base seed (FNV-1a), so each case draws its own data.
 * @example seedFor('matmul/batched', 0)
 */
export function seedFor(name: string, seed: number): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A uniform integer in [low, high] (both included).
 * @example uniformInt(g, 0, 3) // 0, 1, 2 or 3
 */
export function uniformInt(g: Generator, low: number, high: number): number {
  return low + Math.floor(g.uniform() * (high - low + 1));
}

/**
 * A random shape; each dimension is 0 with probability `zeroProbability`, else in [1, maxDim].
 * @example randomShape(g, { maxRank: 3 }) // e.g. [2, 0, 4]
 */
export function randomShape(g: Generator, options: ShapeOptions = {}): number[] {
  const { minRank = 0, maxRank = 4, maxDim = 4, zeroProbability = 0.1 } = options;
  const rank = uniformInt(g, minRank, maxRank);
  return Array.from({ length: rank }, () => (g.uniform() < zeroProbability ? 0 : uniformInt(g, 1, maxDim)));
}

/**
 * A shape that broadcasts with `shape` (NumPy rule): some leading axes dropped or added, some
 * dimensions replaced by 1, and size-1 dimensions of `shape` possibly grown (both sides expand).
 * @example broadcastPartner(g, [2, 1]) // e.g. [1], [2, 3], [4, 1, 1]
 */
export function broadcastPartner(g: Generator, shape: readonly number[], maxRank = 4): number[] {
  const keep = uniformInt(g, 0, shape.length);
  const tail = shape.slice(shape.length - keep).map((d) => (d === 1 ? uniformInt(g, 1, 3) : g.uniform() < 0.3 ? 1 : d));
  const extra = uniformInt(g, 0, Math.max(0, maxRank - shape.length));
  // An added leading axis is 1, or any size when `shape` has no axis there.
  const lead = keep === shape.length ? Array.from({ length: extra }, () => uniformInt(g, 1, 3)) : [];
  return [...lead, ...tail];
}

/**
 * A random subset of the axes of a rank-`rank` tensor (sorted; possibly empty).
 * @example randomAxes(g, 3) // e.g. [0, 2]
 */
export function randomAxes(g: Generator, rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i).filter(() => g.uniform() < 0.5);
}

/**
 * `size` uniform values in [low, high), each at least `margin` away from the points of `avoid`.
 * @example randomValues(g, 6, { low: 0.1, high: 3 })
 */
export function randomValues(g: Generator, size: number, options: ValueOptions = {}): Float64Array {
  const { low = -1, high = 1, avoid = [], margin = 0.05 } = options;
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let v = low + (high - low) * g.uniform();
    // NOTE: nudging (not redrawing) keeps the draw count fixed, so later values do not depend
    // on how many earlier ones fell near a point.
    for (const p of avoid) if (Math.abs(v - p) < margin) v = v < p ? p - margin : p + margin;
    out[i] = v;
  }
  return out;
}

/**
 * `size` integers drawn uniformly from [low, high] (as float64 values).
 * @example randomIntegers(g, 4, -2, 2) // e.g. [1, -2, 0, 0]
 */
export function randomIntegers(g: Generator, size: number, low: number, high: number): Float64Array {
  return Float64Array.from({ length: size }, () => uniformInt(g, low, high));
}

/**
 * `size` booleans as 0/1 with probability `p` of 1.
 * @example randomBools(g, 3) // e.g. [1, 0, 1]
 */
export function randomBools(g: Generator, size: number, p = 0.5): Float64Array {
  return Float64Array.from({ length: size }, () => (g.uniform() < p ? 1 : 0));
}
