// The scalar function of every unary elementwise op: the CPU reference computes with these in
// float64 and stores to the output dtype.
import { erfScalar } from './erf.js';

export const unaryFunctions = {
  neg: (x: number) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x: number) => 1 / Math.sqrt(x),
  tanh: Math.tanh,
  erf: erfScalar,
  sin: Math.sin,
  cos: Math.cos,
  // NOTE: NaN propagates, as in PyTorch (a plain `x > 0 ? x : 0` would turn NaN into 0).
  relu: (x: number) => (x > 0 || Number.isNaN(x) ? x : 0),
  sigmoid: (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  sign: (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  floor: Math.floor,
  ceil: Math.ceil,
  round: (x: number) => {
    // NOTE: round half to even, as PyTorch and WGSL's round() do (Math.round rounds half up).
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  reciprocal: (x: number) => 1 / x,
  square: (x: number) => x * x,
  logicalNot: (x: number) => (x === 0 ? 1 : 0),
} as const;

export type UnaryOpName = keyof typeof unaryFunctions;
