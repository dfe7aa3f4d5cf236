// @longshort/tensor — the public surface (explicit named exports only).
import './ops/wire.js';

export { setBackend, getBackend } from './backend/registry.js';
export type { Backend, BackendCapabilities, BackendMemoryInfo, DataId, TensorView } from './backend/spec.js';
export { createCpuBackend, type CpuBackend, type CpuBackendOptions } from './backends/cpu/cpu-backend.js';
export type { CpuKernel, CpuView, CpuData } from './backends/cpu/cpu-kernel.js';
export { dtypes, isFloat, promoteTypes, bytesPerElement, type DType, type FloatDType, type AnyTypedArray } from './dtype.js';
export * from './errors/index.js';
export { memory, resetPeakBytes } from './memory-api.js';
export type { MemoryStats } from './memory.js';
export { tidy, keep } from './scope.js';
export { broadcastShapes, normalizeAxis, sizeOf, type Shape } from './shape.js';
export { Tensor } from './tensor.js';
export { noGrad, enableGrad, isGradEnabled } from './tape/grad-mode.js';
export { defineOp, getOpDef, type OpDef, type GradContext, type TensorMeta, type NoAttrs, type Layout } from './ops/define-op.js';
export { applyOp, withImpl, type Impl } from './ops/apply.js';
export { primitiveOps, type PrimitiveOpName, type KernelTable, type AttrsOf } from './ops/manifest.js';

export { neg, abs, exp, log, sqrt, rsqrt, tanh, erf, sin, cos, relu, sigmoid, sign, floor, ceil, round, reciprocal, square, logicalNot } from './ops/unary/unary.js';
export { add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, type TensorLike } from './ops/binary/binary.js';
export { where, maskedFill } from './ops/where/where.js';
export { cast } from './ops/cast/cast.js';
export { contiguous } from './ops/contiguous/contiguous.js';
export { tensor, scalar, full, zeros, ones, zerosLike, onesLike, fullLike, arange, fromArray, type NestedArray } from './ops/creation/creation.js';
export { reshape, permute, transpose, expand, slice, narrow, unsqueeze, squeeze, flatten } from './ops/views/views.js';
export { pad } from './ops/pad/pad.js';
export { sum, max, min, mean, variance, logsumexp, argmax, sumTo, type ReduceOptions } from './ops/reduce/reduce.js';
export { matmul, type MatmulAttrs } from './ops/matmul/matmul.js';
