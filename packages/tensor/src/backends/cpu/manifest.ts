// The CPU reference backend's kernel table: every primitive maps to its plain-loop reference.
import { binaryReference } from '../../ops/binary/reference.js';
import { castReference } from '../../ops/cast/cast.js';
import { contiguousReference } from '../../ops/contiguous/contiguous.js';
import type { PrimitiveOpName } from '../../ops/manifest.js';
import { matmulReference } from '../../ops/matmul/matmul.js';
import { gatherReference, indexSelectReference } from '../../ops/gather/reference.js';
import { scatterAddReference } from '../../ops/scatter-add/reference.js';
import { concatReference } from '../../ops/concat/reference.js';
import { conv2dBackwardInputReference, conv2dBackwardWeightReference, conv2dReference } from '../../ops/conv2d/reference.js';
import { padReference } from '../../ops/pad/pad.js';
import { argmaxReference, maxReference, sumReference } from '../../ops/reduce/reduce.js';
import { unaryReference } from '../../ops/unary/reference.js';
import { whereReference } from '../../ops/where/where.js';
import type { CpuKernel, CpuKernelEntry } from './cpu-kernel.js';

const strided = (kernel: CpuKernel<never>): CpuKernelEntry => ({ kernel: kernel as CpuKernel, strided: true });
const plain = (kernel: CpuKernel<never>): CpuKernelEntry => ({ kernel: kernel as CpuKernel });

export const cpuKernels = {
  neg: strided(unaryReference('neg')),
  abs: strided(unaryReference('abs')),
  exp: strided(unaryReference('exp')),
  log: strided(unaryReference('log')),
  sqrt: strided(unaryReference('sqrt')),
  rsqrt: strided(unaryReference('rsqrt')),
  tanh: strided(unaryReference('tanh')),
  erf: strided(unaryReference('erf')),
  sin: strided(unaryReference('sin')),
  cos: strided(unaryReference('cos')),
  relu: strided(unaryReference('relu')),
  sigmoid: strided(unaryReference('sigmoid')),
  sign: strided(unaryReference('sign')),
  floor: strided(unaryReference('floor')),
  ceil: strided(unaryReference('ceil')),
  round: strided(unaryReference('round')),
  reciprocal: strided(unaryReference('reciprocal')),
  square: strided(unaryReference('square')),
  logicalNot: strided(unaryReference('logicalNot')),
  add: strided(binaryReference('add')),
  sub: strided(binaryReference('sub')),
  mul: strided(binaryReference('mul')),
  div: strided(binaryReference('div')),
  pow: strided(binaryReference('pow')),
  maximum: strided(binaryReference('maximum')),
  minimum: strided(binaryReference('minimum')),
  eq: strided(binaryReference('eq')),
  ne: strided(binaryReference('ne')),
  lt: strided(binaryReference('lt')),
  le: strided(binaryReference('le')),
  gt: strided(binaryReference('gt')),
  ge: strided(binaryReference('ge')),
  logicalAnd: strided(binaryReference('logicalAnd')),
  logicalOr: strided(binaryReference('logicalOr')),
  where: strided(whereReference),
  cast: strided(castReference),
  contiguous: strided(contiguousReference),
  pad: plain(padReference),
  sum: plain(sumReference),
  max: plain(maxReference),
  argmax: plain(argmaxReference),
  matmul: plain(matmulReference),
  gather: plain(gatherReference),
  indexSelect: plain(indexSelectReference),
  scatterAdd: plain(scatterAddReference),
  concat: plain(concatReference),
  conv2d: plain(conv2dReference),
  conv2dBackwardInput: plain(conv2dBackwardInputReference),
  conv2dBackwardWeight: plain(conv2dBackwardWeightReference),
} satisfies Record<PrimitiveOpName, CpuKernelEntry>;
