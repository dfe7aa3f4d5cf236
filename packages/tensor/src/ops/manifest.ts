// The typed table of primitive ops that need a kernel on every backend. A backend's kernel
// table is checked against it (`satisfies KernelTable`), so adding a primitive here breaks every
// backend's build until it decides: a kernel, or an explicit 'cpu-fallback'.
import { binaryOps } from './binary/binary.js';
import { castOp } from './cast/cast.js';
import { contiguousOp } from './contiguous/contiguous.js';
import type { OpDef } from './define-op.js';
import { matmulOp } from './matmul/matmul.js';
import { gatherOp, indexSelectOp } from './gather/gather.js';
import { scatterAddOp } from './scatter-add/scatter-add.js';
import { concatOp } from './concat/concat.js';
import { conv2dBackwardInputOp, conv2dBackwardWeightOp, conv2dOp } from './conv2d/conv2d.js';
import { padOp } from './pad/pad.js';
import { argmaxOp, maxOp, sumOp } from './reduce/reduce.js';
import { unaryOps } from './unary/unary.js';
import { whereOp } from './where/where.js';

export const primitiveOps = {
  ...unaryOps,
  ...binaryOps,
  where: whereOp,
  cast: castOp,
  contiguous: contiguousOp,
  pad: padOp,
  sum: sumOp,
  max: maxOp,
  argmax: argmaxOp,
  matmul: matmulOp,
  gather: gatherOp,
  indexSelect: indexSelectOp,
  scatterAdd: scatterAddOp,
  concat: concatOp,
  conv2d: conv2dOp,
  conv2dBackwardInput: conv2dBackwardInputOp,
  conv2dBackwardWeight: conv2dBackwardWeightOp,
};

export type PrimitiveOpName = keyof typeof primitiveOps;

/** The attributes type of a primitive op. */
export type AttrsOf<K extends PrimitiveOpName> = (typeof primitiveOps)[K] extends OpDef<infer A> ? A : never;

/** A backend's kernel table: one entry per primitive, a kernel or a declared CPU fallback. */
export type KernelTable<Kernel> = {
  readonly [K in PrimitiveOpName]: Kernel | 'cpu-fallback';
};
