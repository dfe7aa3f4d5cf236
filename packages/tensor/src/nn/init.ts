// Parameter initializers with torch.nn.init semantics (fans as in _calculate_fan_in_and_fan_out,
// gains as in calculate_gain, trunc_normal_ by inverse CDF), returning new tensors drawn from a
// seeded Generator. Xavier: Glorot & Bengio 2010; Kaiming: He et al. 2015.
import type { Backend } from '../backend/spec.js';
import { ConfigError, ShapeError, formatShape } from '../errors/index.js';
import { fromArray } from '../ops/creation/creation.js';
import { erfScalar } from '../ops/unary/erf.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { randomNormal, randomUniform } from '../random/random.js';
import { assertValidShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** Where the values come from and where they go (shared by every initializer). */
export interface InitOptions {
  /** Default: defaultGenerator(). */
  readonly generator?: Generator;
  /** 'f32' (default) or 'f64'. */
  readonly dtype?: 'f32' | 'f64';
  /** Default: the current backend. */
  readonly backend?: Backend;
}

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

export type FanMode = 'fanIn' | 'fanOut';

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky_relu that follows (default 0). */
  readonly a?: number;
  /** 'fanIn' (default) preserves the forward variance, 'fanOut' the backward one. */
  readonly mode?: FanMode;
  /** Default 'leaky_relu'. */
  readonly nonlinearity?: Nonlinearity;
}

/**
 * (fanIn, fanOut) of a weight shape, as torch.nn.init._calculate_fan_in_and_fan_out: shape[1]
 * and shape[0], each times the receptive field (the product of shape[2:]) for convolutions.
 * @example calculateFanInAndFanOut([16, 3, 5, 5]) // { fanIn: 75, fanOut: 400 }
 */
export function calculateFanInAndFanOut(shape: readonly number[], op = 'calculateFanInAndFanOut'): { fanIn: number; fanOut: number } {
  assertValidShape(shape, op);
  if (shape.length < 2) {
    throw new ShapeError('SHAPE_MISMATCH', op, 'shape', 'has no fan in and fan out', 'at least 2 dimensions (out, in, ...)', formatShape(shape));
  }
  const receptiveField = sizeOf(shape.slice(2));
  return { fanIn: shape[1] * receptiveField, fanOut: shape[0] * receptiveField };
}

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain); `param` is the
 * negative slope of leaky_relu (default 0.01).
 * @example calculateGain('relu') // √2
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (!Number.isFinite(slope)) throw new ConfigError('calculateGain', 'param', 'a finite negative slope', String(param));
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ConfigError('calculateGain', 'nonlinearity', 'linear | conv1d | conv2d | conv3d | conv_transpose1d | conv_transpose2d | conv_transpose3d | sigmoid | tanh | relu | leaky_relu | selu', String(nonlinearity));
  }
}

/** U(−bound, bound); an empty shape needs no bound (its fans may be 0). */
function symmetricUniform(shape: readonly number[], bound: number, options: InitOptions): Tensor {
  const b = sizeOf(shape) === 0 ? 0 : bound;
  return randomUniform(shape, { ...options, low: -b, high: b });
}

/** N(0, std²); an empty shape needs no std (its fans may be 0). */
function centeredNormal(shape: readonly number[], std: number, options: InitOptions): Tensor {
  return randomNormal(shape, { ...options, mean: 0, std: sizeOf(shape) === 0 ? 0 : std });
}

/**
 * Values from N(mean, std²) (torch.nn.init.normal_; defaults 0 and 1).
 * @example normal([768, 768], { std: 0.02 })
 */
export function normal(shape: readonly number[], options: InitOptions & { readonly mean?: number; readonly std?: number } = {}): Tensor {
  return randomNormal(shape, options);
}

/**
 * Values from U(low, high) (torch.nn.init.uniform_; defaults 0 and 1).
 * @example uniform([10], { low: -0.1, high: 0.1 })
 */
export function uniform(shape: readonly number[], options: InitOptions & { readonly low?: number; readonly high?: number } = {}): Tensor {
  return randomUniform(shape, options);
}

/**
 * The inverse error function: Giles' single-precision approximation ("Approximating the erfinv
 * function", GPU Computing Gems, 2011) refined by two Newton steps on erfScalar.
 */
function erfinv(y: number): number {
  if (Math.abs(y) >= 1) return y === 1 ? Infinity : y === -1 ? -Infinity : NaN;
  let w = -Math.log((1 - y) * (1 + y));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * w;
  }
  let x = p * y;
  for (let step = 0; step < 2; step++) x -= (erfScalar(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
  return x;
}

const normalCdf = (x: number) => (1 + erfScalar(x / Math.SQRT2)) / 2;

/**
 * Values from N(mean, std²) truncated to [a, b] (torch.nn.init.trunc_normal_: a and b are
 * absolute bounds, not multiples of std; defaults mean 0, std 1, a −2, b 2). Sampled by inverse
 * CDF: u ~ U(Φ(α), Φ(β)), x = mean + std·√2·erfinv(2u − 1), clamped to [a, b].
 * @example truncatedNormal([768, 768], { std: 0.02, a: -0.04, b: 0.04 })
 */
export function truncatedNormal(shape: readonly number[], options: InitOptions & { readonly mean?: number; readonly std?: number; readonly a?: number; readonly b?: number } = {}): Tensor {
  const { mean = 0, std = 1, a = -2, b = 2, generator = defaultGenerator(), dtype = 'f32', backend } = options;
  assertValidShape(shape, 'truncatedNormal');
  if (!Number.isFinite(mean)) throw new ConfigError('truncatedNormal', 'mean', 'a finite number', String(mean));
  if (!(std > 0) || !Number.isFinite(std)) throw new ConfigError('truncatedNormal', 'std', 'a finite number > 0', String(std));
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) throw new ConfigError('truncatedNormal', 'a, b', 'finite bounds with a < b', `a = ${a}, b = ${b}`);
  const low = 2 * normalCdf((a - mean) / std) - 1;
  const high = 2 * normalCdf((b - mean) / std) - 1;
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) {
    const x = mean + std * Math.SQRT2 * erfinv(low + (high - low) * generator.uniform());
    values[i] = Math.min(Math.max(x, a), b);
  }
  return fromArray(values, shape, dtype, backend);
}

/**
 * Glorot uniform: U(−g·√(6/(fanIn + fanOut)), +…) (torch.nn.init.xavier_uniform_).
 * @example xavierUniform([256, 128])
 */
export function xavierUniform(shape: readonly number[], options: InitOptions & { readonly gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape, 'xavierUniform');
  const std = (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return symmetricUniform(shape, Math.sqrt(3) * std, options);
}

/**
 * Glorot normal: N(0, g²·2/(fanIn + fanOut)) (torch.nn.init.xavier_normal_).
 * @example xavierNormal([256, 128], { gain: calculateGain('tanh') })
 */
export function xavierNormal(shape: readonly number[], options: InitOptions & { readonly gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape, 'xavierNormal');
  return centeredNormal(shape, (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), options);
}

/** std = gain(nonlinearity, a) / √fan, shared by the two Kaiming initializers. */
function kaimingStd(shape: readonly number[], options: KaimingOptions, op: string): number {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leaky_relu' } = options;
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new ConfigError(op, 'mode', "'fanIn' | 'fanOut'", String(mode));
  const { fanIn, fanOut } = calculateFanInAndFanOut(shape, op);
  return calculateGain(nonlinearity, a) / Math.sqrt(mode === 'fanIn' ? fanIn : fanOut);
}

/**
 * He uniform: U(−bound, bound) with bound = gain·√(3/fan) (torch.nn.init.kaiming_uniform_).
 * @example kaimingUniform([64, 3, 3, 3], { nonlinearity: 'relu' })
 */
export function kaimingUniform(shape: readonly number[], options: KaimingOptions = {}): Tensor {
  return symmetricUniform(shape, Math.sqrt(3) * kaimingStd(shape, options, 'kaimingUniform'), options);
}

/**
 * He normal: N(0, gain²/fan) (torch.nn.init.kaiming_normal_).
 * @example kaimingNormal([512, 256], { mode: 'fanOut', nonlinearity: 'relu' })
 */
export function kaimingNormal(shape: readonly number[], options: KaimingOptions = {}): Tensor {
  return centeredNormal(shape, kaimingStd(shape, options, 'kaimingNormal'), options);
}

/**
 * The parameters of a fresh torch.nn.Linear (reset_parameters): weight (out, in) from
 * kaimingUniform with a = √5, i.e. U(−1/√in, 1/√in), then bias (out) from U(−1/√in, 1/√in)
 * (0 when in = 0). The weight is drawn first.
 * @example const { weight, bias } = linearDefault(10, 20)
 */
export function linearDefault(outFeatures: number, inFeatures: number, options: InitOptions = {}): { weight: Tensor; bias: Tensor } {
  const weight = kaimingUniform([outFeatures, inFeatures], { ...options, a: Math.sqrt(5) });
  const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
  const bias = randomUniform([outFeatures], { ...options, low: -bound, high: bound });
  return { weight, bias };
}
