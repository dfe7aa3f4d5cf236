// The fast CPU backend's elementwise, reduction, softmax and layer-norm kernels: f32 tensors in
// the common layouts (contiguous; same shape, scalar or trailing-block broadcast; reductions over
// trailing or leading axes; softmax over the last axis) run the SIMD kernels of elementwise.ts,
// everything else the given reference kernel or a plain float64 loop.
import type { ReduceAttrs } from '../../ops/reduce/reduce.js';
import type { AxisAttrs } from '../../ops/softmax/softmax.js';
import { bytesPerElement } from '../../dtype.js';
import { isContiguous, sizeOf } from '../../shape.js';
import { broadcastStrides, forEachStrided, type CpuData, type CpuKernel, type CpuView } from '../cpu/cpu-kernel.js';
import { chunkElements, columnStrip, type BinaryKernelOp, type UnaryKernelOp } from './elementwise.js';
import { withHeapPointers } from './operands.js';
import { rowTable } from './row-table.js';
import { reduceAxes } from './reduce-axes.js';
import { erfScalar } from '../../ops/unary/erf.js';
import type { WasmRuntime } from './runtime.js';

/** Below this many elements a kernel runs on the calling thread only. */
const parallelElements = 1 << 16;

/** The layer-norm op's attributes (ops/layer-norm). */
export interface LayerNormKernelAttrs {
  readonly eps: number;
  readonly normalizedAxes: number;
  readonly hasWeight: boolean;
  readonly hasBias: boolean;
}

function run(rt: WasmRuntime, name: string, count: number, args: readonly number[], elements: number): void {
  rt.pool.run(rt.kernels, name, count, args, elements >= parallelElements ? rt.pool.threads : 1);
}

const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/**
 * P when `view`, broadcast to `shape`, reads element i mod P of a contiguous block for output
 * element i (P = size: no broadcast; P = 1: a scalar; else a trailing block repeated); else null.
 */
export function periodOf(view: CpuView, shape: readonly number[]): number | null {
  const strides = broadcastStrides(view, shape);
  let period = 1;
  let broadcasting = false;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] === 1) continue;
    if (strides[axis] === 0) broadcasting = true;
    else if (broadcasting || strides[axis] !== period) return null;
    else period *= shape[axis];
  }
  return period;
}

/**
 * A unary kernel on SIMD for f32 (strided inputs are gathered first, so that a view and a copy give
 * identical bits); other dtypes on `reference`.
 * @example wasmUnary(rt, 'exp', unaryReference('exp'))
 */
export function wasmUnary(rt: WasmRuntime, op: UnaryKernelOp, reference: CpuKernel): CpuKernel {
  return (inputs, outputs, attrs) => {
    const [x] = inputs;
    const [out] = outputs;
    if (x.dtype !== 'f32' || out.dtype !== 'f32') return reference(inputs, outputs, attrs);
    const n = sizeOf(out.shape);
    if (n === 0) return;
    const contiguous = isContiguous(x.shape, x.strides);
    const done = withHeapPointers(rt, contiguous ? [x] : [], [out], ([xp], [outp]) => {
      if (!contiguous) {
        // NOTE: gathered into the output, which the kernel then maps in place. The storage's
        // array is read again here: a growth of an unshared memory detaches older views.
        const from = (x.data as CpuData).array;
        const to = rt.heap.f32;
        forEachStrided(out.shape, [x], (i, [o]) => {
          to[outp / 4 + i] = from[o];
        });
      }
      run(rt, `unary_${op}`, Math.ceil(n / chunkElements), [contiguous ? xp + x.offset * 4 : outp, outp, n], n);
    });
    if (!done) reference(inputs, outputs, attrs);
  };
}

/** The gelu composite's attributes (ops/gelu). */
interface GeluKernelAttrs {
  readonly approximate: 'none' | 'tanh';
}

/** GELU in float64 loops over any layout: the path for non-f32 tensors and the tanh form. */
const geluPlain: CpuKernel<GeluKernelAttrs> = ([x], [out], { approximate }) => {
  const [src, dst] = [x.array, out.array];
  const c = Math.sqrt(2 / Math.PI);
  forEachStrided(out.shape, [x], (i, [o]) => {
    const v = src[o];
    dst[i] = approximate === 'tanh' ? 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v))) : 0.5 * v * (1 + erfScalar(v * Math.SQRT1_2));
  });
};

/**
 * The gelu composite as one kernel: the exact form of f32 tensors on SIMD, the rest in float64 loops.
 * @example kernels.gelu = { kernel: wasmGelu(rt), strided: true };
 */
export function wasmGelu(rt: WasmRuntime): CpuKernel<GeluKernelAttrs> {
  const exact = wasmUnary(rt, 'gelu', geluPlain as CpuKernel);
  return (inputs, outputs, attrs) => (attrs.approximate === 'none' ? exact(inputs, outputs, attrs) : geluPlain(inputs, outputs, attrs));
}

/**
 * A binary kernel: f32 operands that are contiguous, scalars or trailing-block broadcasts on SIMD,
 * anything else on `reference`.
 * @example wasmBinary(rt, 'add', binaryReference('add'))
 */
export function wasmBinary(rt: WasmRuntime, op: BinaryKernelOp, reference: CpuKernel): CpuKernel {
  return (inputs, outputs, attrs) => {
    const [a, b] = inputs;
    const [out] = outputs;
    if (a.dtype !== 'f32' || b.dtype !== 'f32' || out.dtype !== 'f32') return reference(inputs, outputs, attrs);
    const n = sizeOf(out.shape);
    if (n === 0) return;
    const pa = periodOf(a, out.shape);
    const pb = periodOf(b, out.shape);
    // x: the operand read in full; y: the broadcast one; swap: y is the left operand.
    const swap = pa !== n;
    const py = swap ? pa : pb;
    if ((swap ? pb : pa) !== n || py === null) {
      if (!runTable(rt, `binary_${op}_table`, out, [a, b], binaryMode)) reference(inputs, outputs, attrs);
      return;
    }
    const done = withHeapPointers(rt, [a, b], [out], ([ap, bp], [outp]) => {
      const [xp, yp] = swap ? [bp + b.offset * 4, ap + a.offset * 4] : [ap + a.offset * 4, bp + b.offset * 4];
      if (py === n) run(rt, `binary_${op}_full`, Math.ceil(n / chunkElements), [xp, yp, outp, n], n);
      else if (py === 1) run(rt, `binary_${op}_scalar`, Math.ceil(n / chunkElements), [xp, yp, outp, n, swap ? 1 : 0], n);
      else run(rt, `binary_${op}_rows`, n / py, [xp, yp, outp, py, swap ? 1 : 0], n);
    });
    if (!done) reference(inputs, outputs, attrs);
  };
}

/** The mode argument of `binary_<op>_table` (bit k: operand k broadcast along rows), if both operands fit it. */
const binaryMode = ([a, b]: readonly number[]): number[] | false =>
  [a, b].every((s) => s === 0 || s === 1) && [(a === 0 ? 1 : 0) + (b === 0 ? 2 : 0)];

/**
 * Runs a row-table kernel (elementwise.ts) of `inputs` broadcast to the contiguous `out`: `extra`
 * maps the operands' element steps along a row to the kernel's trailing arguments, or false when
 * the kernel cannot take them. Returns false (having done nothing) when it does not run.
 */
function runTable(rt: WasmRuntime, name: string, out: CpuView, inputs: readonly CpuView[], extra: (steps: readonly number[]) => number[] | false): boolean {
  const layout = rowTable(out.shape, inputs);
  const args = extra(layout.steps);
  if (!args || layout.offsets.length === 0) return false;
  const table = rt.heap.alloc(layout.offsets.byteLength);
  if (table === null) return false;
  try {
    return withHeapPointers(rt, inputs, [out], (pointers, [outp]) => {
      const entries = new Int32Array(rt.memory.buffer, table, layout.offsets.length);
      const K = inputs.length;
      for (let i = 0; i < entries.length; i++) {
        const k = i % K;
        entries[i] = pointers[k] + layout.offsets[i] * bytesPerElement(inputs[k].dtype);
      }
      const perItem = Math.max(1, Math.floor(chunkElements / layout.cols));
      run(rt, name, Math.ceil(layout.rows / perItem), [table, outp + out.offset * 4, layout.cols, perItem, layout.rows, ...args], layout.rows * layout.cols);
    });
  } finally {
    rt.heap.free(table, layout.offsets.byteLength);
  }
}

/**
 * where(c, x, y) for f32 x, y and a bool c in any broadcast or view on the row-table kernel; other
 * dtypes and layouts whose rows are not regular on `reference`.
 * @example wasmWhere(rt, cpuKernels.where.kernel)
 */
export function wasmWhere(rt: WasmRuntime, reference: CpuKernel): CpuKernel {
  return (inputs, outputs, attrs) => {
    const [c, x, y] = inputs;
    const [out] = outputs;
    const f32 = x.dtype === 'f32' && y.dtype === 'f32' && out.dtype === 'f32' && c.dtype === 'bool';
    if (!f32 || sizeOf(out.shape) === 0 || !runTable(rt, 'where_table', out, inputs, ([cs, xs, ys]) => [cs, xs * 4, ys * 4])) reference(inputs, outputs, attrs);
  };
}

/**
 * sum or max over trailing axes (per row) or leading axes (per column) of an f32 tensor on SIMD;
 * other axis sets on `reference`.
 * @example wasmReduce(rt, 'sum', sumReference)
 */
export function wasmReduce(rt: WasmRuntime, kind: 'sum' | 'max', reference: CpuKernel<ReduceAttrs>): CpuKernel<ReduceAttrs> {
  return (inputs, outputs, attrs) => {
    const [x] = inputs;
    const [out] = outputs;
    const rank = x.shape.length;
    const axes = [...attrs.axes].sort((p, q) => p - q);
    const trailing = axes.every((axis, i) => axis === rank - axes.length + i);
    const leading = axes.every((axis, i) => axis === i);
    if (x.dtype !== 'f32' || out.dtype !== 'f32') return reference(inputs, outputs, attrs);
    if (!(trailing || leading)) return reduceAxes(x, out, axes, kind);
    if (sizeOf(out.shape) === 0) return;
    const n = sizeOf(x.shape);
    const done = withHeapPointers(rt, [x], [out], ([xp], [outp]) => {
      const src = xp + x.offset * 4;
      if (trailing) {
        const rows = product(x.shape.slice(0, rank - axes.length));
        run(rt, `${kind}_rows`, rows, [src, outp, product(x.shape.slice(rank - axes.length))], n);
      } else {
        const cols = product(x.shape.slice(axes.length));
        run(rt, `${kind}_cols`, Math.ceil(cols / columnStrip), [src, outp, product(x.shape.slice(0, axes.length)), cols], n);
      }
    });
    if (!done) reference(inputs, outputs, attrs);
  };
}

/** Softmax along `axis` of a contiguous tensor in float64 loops (the path for non-f32 or non-last axes). */
function softmaxPlain(x: CpuView, out: CpuView, axis: number): void {
  const length = x.shape[axis];
  const inner = product(x.shape.slice(axis + 1));
  const outer = product(x.shape.slice(0, axis));
  const src = x.array;
  const dst = out.array;
  const e = new Float64Array(length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * length * inner + i;
      let top = -Infinity;
      for (let l = 0; l < length; l++) {
        const v = src[x.offset + base + l * inner];
        top = v > top || Number.isNaN(v) ? v : top;
      }
      // NOTE: the decomposition's conventions: shift an all −∞ slice by 0, divide a zero sum by 1.
      const shift = top === -Infinity ? 0 : top;
      let total = 0;
      for (let l = 0; l < length; l++) total += e[l] = Math.exp(src[x.offset + base + l * inner] - shift);
      const divisor = total === 0 ? 1 : total;
      for (let l = 0; l < length; l++) dst[base + l * inner] = e[l] / divisor;
    }
  }
}

/**
 * The fused softmax kernel: f32 over the last axis on SIMD (one row per work item), else float64 loops.
 * @example backend.registerKernel('softmax', wasmSoftmax(rt));
 */
export function wasmSoftmax(rt: WasmRuntime): CpuKernel<AxisAttrs> {
  return ([x], [out], { axis }) => {
    const n = sizeOf(x.shape);
    if (n === 0) return;
    if (x.dtype !== 'f32' || axis !== x.shape.length - 1) return softmaxPlain(x, out, axis);
    const length = x.shape[axis];
    const done = withHeapPointers(rt, [x], [out], ([xp], [outp]) => {
      run(rt, 'softmax_rows', n / length, [xp + x.offset * 4, outp, length], n);
    });
    if (!done) softmaxPlain(x, out, axis);
  };
}

/** Layer norm over rows of `length` in float64 loops (the path for non-f32 dtypes). */
function layerNormPlain(x: CpuView, weight: CpuView | null, bias: CpuView | null, out: CpuView, length: number, eps: number): void {
  const src = x.array;
  const dst = out.array;
  const rows = sizeOf(x.shape) / length;
  for (let r = 0; r < rows; r++) {
    const base = x.offset + r * length;
    let mean = 0;
    for (let l = 0; l < length; l++) mean += src[base + l];
    mean /= length;
    let variance = 0;
    for (let l = 0; l < length; l++) variance += (src[base + l] - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / length + eps);
    for (let l = 0; l < length; l++) {
      let y = (src[base + l] - mean) * scale;
      if (weight) y *= weight.array[weight.offset + l];
      if (bias) y += bias.array[bias.offset + l];
      dst[r * length + l] = y;
    }
  }
}

/**
 * The fused layer-norm kernel: f32 on SIMD (one row per work item), else float64 loops.
 * @example backend.registerKernel('layerNorm', wasmLayerNorm(rt));
 */
export function wasmLayerNorm(rt: WasmRuntime): CpuKernel<LayerNormKernelAttrs> {
  return (inputs, [out], { eps, normalizedAxes, hasWeight, hasBias }) => {
    const [x, ...affine] = inputs;
    const weight = hasWeight ? affine[0] : null;
    const bias = hasBias ? affine[hasWeight ? 1 : 0] : null;
    const n = sizeOf(x.shape);
    if (n === 0) return;
    const length = product(x.shape.slice(x.shape.length - normalizedAxes));
    if (inputs.some((v) => v.dtype !== 'f32')) return layerNormPlain(x, weight, bias, out, length, eps);
    const done = withHeapPointers(rt, inputs, [out], ([xp, ...affinePointers], [outp]) => {
      const at = (view: CpuView | null, i: number) => (view ? affinePointers[i] + view.offset * 4 : 0);
      const flags = (weight ? 1 : 0) | (bias ? 2 : 0);
      run(rt, 'layernorm_rows', n / length, [xp + x.offset * 4, at(weight, 0), at(bias, weight ? 1 : 0), outp, length, eps, flags], n);
    });
    if (!done) layerNormPlain(x, weight, bias, out, length, eps);
  };
}
