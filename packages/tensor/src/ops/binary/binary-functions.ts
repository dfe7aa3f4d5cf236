// The scalar function of every binary elementwise op (float64 arithmetic in the CPU reference).

export const binaryFunctions = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  pow: Math.pow,
  maximum: (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  eq: (a: number, b: number) => (a === b ? 1 : 0),
  ne: (a: number, b: number) => (a !== b ? 1 : 0),
  lt: (a: number, b: number) => (a < b ? 1 : 0),
  le: (a: number, b: number) => (a <= b ? 1 : 0),
  gt: (a: number, b: number) => (a > b ? 1 : 0),
  ge: (a: number, b: number) => (a >= b ? 1 : 0),
  logicalAnd: (a: number, b: number) => (a !== 0 && b !== 0 ? 1 : 0),
  logicalOr: (a: number, b: number) => (a !== 0 || b !== 0 ? 1 : 0),
} as const;

export type BinaryOpName = keyof typeof binaryFunctions;

export const comparisonOps: ReadonlySet<BinaryOpName> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logicalAnd', 'logicalOr']);
