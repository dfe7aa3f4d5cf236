// Random tensors (torch.rand / randn / randint semantics): values are drawn on the host from a
// seeded Generator, in row-major order, and uploaded with one backend write (fromArray). So a
// seed gives the same tensor on every backend.
import type { Backend } from '../backend/spec.js';
import { ConfigError, DTypeError } from '../errors/index.js';
import { fromArray } from '../ops/creation/creation.js';
import { assertValidShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { defaultGenerator, type Generator } from './generator.js';

/** Options shared by the random tensor functions. */
export interface RandomOptions {
  /** 'f32' (default) or 'f64'. */
  readonly dtype?: 'f32' | 'f64';
  /** Default: defaultGenerator(). */
  readonly generator?: Generator;
  /** Default: the current backend. */
  readonly backend?: Backend;
}

export interface RandomUniformOptions extends RandomOptions {
  readonly low?: number;
  readonly high?: number;
}

export interface RandomNormalOptions extends RandomOptions {
  readonly mean?: number;
  readonly std?: number;
}

export interface RandomIntOptions {
  readonly generator?: Generator;
  readonly backend?: Backend;
}

function assertFloatDType(op: string, dtype: string): void {
  if (dtype !== 'f32' && dtype !== 'f64') throw new DTypeError('DTYPE_UNSUPPORTED', op, 'dtype', 'f32 | f64', dtype);
}

function assertFinite(op: string, key: string, value: number): void {
  if (!Number.isFinite(value)) throw new ConfigError(op, key, 'a finite number', String(value));
}

/** Host values: `size` draws of `draw`, in order. */
function draws(size: number, draw: () => number): Float64Array {
  const values = new Float64Array(size);
  for (let i = 0; i < size; i++) values[i] = draw();
  return values;
}

/**
 * Uniform values in [low, high) (defaults 0 and 1).
 * NOTE: as in PyTorch, rounding to float32 can give `high` itself when high − low is large
 * relative to float32 spacing near `high`.
 * @example randomUniform([2, 3], { low: -1, high: 1, generator: new Generator(0) })
 */
export function randomUniform(shape: readonly number[], options: RandomUniformOptions = {}): Tensor {
  const { low = 0, high = 1, dtype = 'f32', generator = defaultGenerator(), backend } = options;
  assertValidShape(shape, 'randomUniform');
  assertFloatDType('randomUniform', dtype);
  assertFinite('randomUniform', 'low', low);
  assertFinite('randomUniform', 'high', high);
  if (low > high) throw new ConfigError('randomUniform', 'low', `low <= high (${high})`, String(low));
  const values = draws(sizeOf(shape), () => low + (high - low) * generator.uniform());
  return fromArray(values, shape, dtype, backend);
}

/**
 * Normal values with the given mean (default 0) and standard deviation (default 1).
 * @example randomNormal([4, 4], { std: 0.02 })
 */
export function randomNormal(shape: readonly number[], options: RandomNormalOptions = {}): Tensor {
  const { mean = 0, std = 1, dtype = 'f32', generator = defaultGenerator(), backend } = options;
  assertValidShape(shape, 'randomNormal');
  assertFloatDType('randomNormal', dtype);
  assertFinite('randomNormal', 'mean', mean);
  if (!(std >= 0) || !Number.isFinite(std)) throw new ConfigError('randomNormal', 'std', 'a finite number >= 0', String(std));
  const values = draws(sizeOf(shape), () => mean + std * generator.normal());
  return fromArray(values, shape, dtype, backend);
}

/**
 * Uniform integers in [low, high) as an i32 tensor (unbiased: rejection sampling).
 * @example randomInt([8], 0, 10) // e.g. token ids
 */
export function randomInt(shape: readonly number[], low: number, high: number, options: RandomIntOptions = {}): Tensor {
  const { generator = defaultGenerator(), backend } = options;
  assertValidShape(shape, 'randomInt');
  const isI32 = (v: number) => Number.isInteger(v) && v >= -(2 ** 31) && v <= 2 ** 31;
  if (!isI32(low) || low === 2 ** 31) throw new ConfigError('randomInt', 'low', 'an integer in [-2^31, 2^31)', String(low));
  if (!isI32(high) || high <= low) throw new ConfigError('randomInt', 'high', `an integer in (low = ${low}, 2^31]`, String(high));
  const range = high - low;
  // NOTE: draws at or above the largest multiple of `range` below 2³² are rejected, so that
  // `x % range` is exactly uniform.
  const limit = Math.floor(2 ** 32 / range) * range;
  const values = draws(sizeOf(shape), () => {
    let x = generator.nextUint32();
    while (x >= limit) x = generator.nextUint32();
    return low + (x % range);
  });
  return fromArray(values, shape, 'i32', backend);
}
