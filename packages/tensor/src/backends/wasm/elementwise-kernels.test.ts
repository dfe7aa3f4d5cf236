import { afterAll, describe, expect, it } from 'vitest';
import {
  add, createCpuBackend, div, erf, exp, fromArray, reshape, slice, where, layerNorm, max, maximum, memory, minimum, mul, neg, noGrad, permute, relu, rsqrt,
  sigmoid, softmax, sqrt, square, sub, sum, abs, reciprocal, tidy, type Backend, type Tensor,
} from '../../index.js';
import { erfScalar } from '../../ops/unary/erf.js';
import { expectClose, randomGenerator, randomValues, runConformance, seedFor, tolerances } from '../../testing/index.js';

const fast = createCpuBackend({ name: 'wasm-ew', threads: 2 });
const single = createCpuBackend({ name: 'wasm-ew-1', threads: 1 });
const reference = createCpuBackend({ name: 'reference-ew', kernels: 'reference' });
afterAll(() => {
  for (const b of [fast, single, reference]) b.dispose();
});

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function values(seed: string, shape: readonly number[], low = -3, high = 3): Float64Array {
  return Float64Array.from(Float32Array.from(randomValues(randomGenerator(seedFor(seed, 0)), size(shape), { low, high })));
}

/** Runs `fn` on f32 tensors made from `inputs` on `backend` and returns the output's values. */
function on(backend: Backend, inputs: { values: Float64Array | number[]; shape: number[] }[], fn: (...t: Tensor[]) => Tensor): Float32Array {
  return noGrad(() => {
    const ts = inputs.map((i) => fromArray(i.values, i.shape, 'f32', backend));
    const out = fn(...ts);
    const v = out.dataSync() as Float32Array;
    for (const t of [...ts, out]) t.dispose();
    return v;
  });
}

// Element counts around the vector width (4), the chunk (16384) and the parallel threshold (65536).
const shapes = [[1], [3], [4], [7], [2, 5], [3, 17], [16385], [70001], [2, 3, 37]];

describe('wasm elementwise kernels', () => {
  const unaryCases: [string, (x: Tensor) => Tensor, (v: number) => number, [number, number]][] = [
    ['neg', neg, (v) => -v, [-3, 3]],
    ['abs', abs, Math.abs, [-3, 3]],
    ['sqrt', sqrt, Math.sqrt, [0, 9]],
    ['rsqrt', rsqrt, (v) => 1 / Math.sqrt(v), [0.01, 9]],
    ['reciprocal', reciprocal, (v) => 1 / v, [0.1, 3]],
    ['square', square, (v) => v * v, [-3, 3]],
    ['relu', relu, (v) => Math.max(v, 0), [-3, 3]],
    ['exp', exp, Math.exp, [-80, 80]],
    ['sigmoid', sigmoid, (v) => 1 / (1 + Math.exp(-v)), [-30, 30]],
    ['erf', erf, erfScalar, [-6, 6]],
  ];

  it.each(unaryCases)('%s matches a float64 reference on every size', (name, fn, ref, [low, high]) => {
    for (const shape of shapes) {
      const x = values(`${name}|${shape}`, shape, low, high);
      expectClose(on(fast, [{ values: x, shape }], fn), Float64Array.from(x, ref), tolerances.elementwise, `${name} ${shape}`);
    }
  });

  it('erf is accurate near 0 (relative), at the Taylor/erfc seam and at ±∞ and NaN', () => {
    const special = [1e-30, -1e-7, 1e-4, 0.01, 0.4999, 0.5, 0.5001, -0.5, 3, 10, -Infinity, Infinity, NaN, 0, -0];
    expectClose(on(fast, [{ values: special, shape: [special.length] }], erf), special.map(erfScalar), { atol: 1e-45, rtol: 5e-7 }, 'erf');
  });

  it('exp, sigmoid and relu handle ±∞, NaN, overflow and underflow like the reference', () => {
    const special = [-Infinity, Infinity, NaN, 88.7, 88.8, 89, 100, -87, -100, -104, -200, 0, -0];
    for (const fn of [exp, sigmoid, relu]) {
      const got = on(fast, [{ values: special, shape: [special.length] }], fn);
      const want = on(reference, [{ values: special, shape: [special.length] }], fn);
      expectClose(got, want, { atol: 1e-45, rtol: 1e-6 }, fn.name);
    }
  });

  it('gives identical bits for a strided view and a contiguous copy, and for the ops that round exactly, identical bits to the reference', () => {
    const x = values('strided', [5, 7]);
    const t = (v: Tensor) => exp(permute(v, [1, 0]));
    const copy = Float64Array.from({ length: 35 }, (_, i) => x[(i % 5) * 7 + Math.floor(i / 5)]);
    expect(on(fast, [{ values: x, shape: [5, 7] }], t)).toEqual(on(fast, [{ values: copy, shape: [7, 5] }], exp));
    for (const fn of [neg, abs, sqrt, square, reciprocal, relu]) {
      const v = values(`exact|${fn.name}`, [999], 0.1, 4);
      expect(on(fast, [{ values: v, shape: [999] }], fn), fn.name).toEqual(on(reference, [{ values: v, shape: [999] }], fn));
    }
  });

  const binaryCases: [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => number][] = [
    ['add', add, (a, b) => a + b],
    ['sub', sub, (a, b) => a - b],
    ['mul', mul, (a, b) => a * b],
    ['div', div, (a, b) => a / b],
    ['maximum', maximum, Math.max],
    ['minimum', minimum, Math.min],
  ];
  // Same shape, scalar either side, trailing blocks either side, a size-1 middle axis, and a
  // column broadcast (not a trailing block: the reference path).
  const pairs: [number[], number[]][] = [
    [[3, 17], [3, 17]], [[70001], [70001]], [[3, 17], [1]], [[], [2, 9]], [[4, 5, 6], [5, 6]], [[6], [70, 1, 6]],
    [[9, 1, 3], [9, 4, 3]], [[300, 250], [300, 1]], [[7, 0], [7, 1]],
  ];

  it.each(binaryCases)('%s matches the reference bit for bit on every broadcast pattern', (name, fn) => {
    for (const [sa, sb] of pairs) {
      const a = values(`${name}|a|${sa}`, sa);
      const b = values(`${name}|b|${sb}`, sb, 0.5, 3);
      const inputs = [{ values: a, shape: sa }, { values: b, shape: sb }];
      expect(on(fast, inputs, fn), `${name} ${sa} ${sb}`).toEqual(on(reference, inputs, fn));
    }
  });

  it('binary ops on row tables (column broadcasts, slices, permuted outer axes) match the reference bit for bit', () => {
    const a = values('table-a', [6, 5, 8]);
    const b = values('table-b', [6, 5, 1], 0.5, 3);
    const cases: [string, (x: Tensor, y: Tensor) => Tensor][] = [
      ['column broadcast', (x, y) => mul(x, y)],
      ['column broadcast on the left', (x, y) => div(y, x)],
      ['sliced rows', (x, y) => add(slice(x, [0, 1, 0], [6, 4, 8]), slice(y, [0, 1, 0], [6, 4, 1]))],
      ['permuted outer axes', (x, y) => sub(permute(x, [1, 0, 2]), permute(y, [1, 0, 2]))],
      ['both broadcast along rows', (x, y) => maximum(y, slice(x, [0, 0, 0], [6, 5, 1]))],
    ];
    for (const [label, fn] of cases) {
      const inputs = [{ values: a, shape: [6, 5, 8] }, { values: b, shape: [6, 5, 1] }];
      expect(on(fast, inputs, fn), label).toEqual(on(reference, inputs, fn));
      expect(on(single, inputs, fn), `${label}, 1 thread`).toEqual(on(reference, inputs, fn));
    }
  });

  it('where selects like the reference for broadcast conditions, scalars and views', () => {
    const x = values('where-x', [70, 33, 12]);
    const y = values('where-y', [33, 1]);
    const mask = Array.from(values('where-c', [70, 1, 12]), (v) => (v > 0 ? 1 : 0));
    const run = (backend: Backend, fn: (c: Tensor, a: Tensor, b: Tensor) => Tensor) => noGrad(() => {
      const c = fromArray(mask, [70, 1, 12], 'bool', backend);
      const a = fromArray(x, [70, 33, 12], 'f32', backend);
      const b = fromArray(y, [33, 1], 'f32', backend);
      const out = fn(c, a, b);
      const v = out.dataSync();
      for (const t of [c, a, b, out]) t.dispose();
      return v;
    });
    const cases: [string, (c: Tensor, a: Tensor, b: Tensor) => Tensor][] = [
      ['broadcast', (c, a, b) => where(c, a, b)],
      ['scalar', (c, a) => where(c, a, 0)],
      ['view', (c, a, b) => where(permute(c, [1, 0, 2]), permute(a, [1, 0, 2]), reshape(b, [33, 1, 1]))],
    ];
    for (const [label, fn] of cases) expect(run(fast, fn), label).toEqual(run(reference, fn));
    const want = Float64Array.from({ length: 70 * 33 * 12 }, (_, i) => (mask[Math.floor(i / (33 * 12)) * 12 + (i % 12)] ? x[i] : y[Math.floor(i / 12) % 33]));
    expectClose(run(fast, (c, a, b) => where(c, a, b)), want, tolerances.exact, 'where values');
  });

  it('binary ops compute the right values (checked against plain float64 arithmetic)', () => {
    for (const [name, fn, ref] of binaryCases) {
      const a = values(`${name}|plain-a`, [4, 6]);
      const b = values(`${name}|plain-b`, [6], 0.5, 3);
      const want = Float64Array.from({ length: 24 }, (_, i) => ref(a[i], b[i % 6]));
      expectClose(on(fast, [{ values: a, shape: [4, 6] }, { values: b, shape: [6] }], fn), want, tolerances.elementwise, name);
      const wantSwapped = Float64Array.from({ length: 24 }, (_, i) => ref(b[i % 6], a[i]));
      expectClose(on(fast, [{ values: b, shape: [6] }, { values: a, shape: [4, 6] }], fn), wantSwapped, tolerances.elementwise, `${name} swapped`);
    }
  });
});

describe('wasm reductions', () => {
  /** Float64 reduction of `x` (shape) over `axes` with `combine`. */
  function reduceRef(x: Float64Array, shape: number[], axes: number[], init: number, combine: (a: number, v: number) => number): Float64Array {
    const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const out = new Float64Array(size(outShape)).fill(init);
    const index = new Array<number>(shape.length).fill(0);
    for (let i = 0; i < x.length; i++) {
      let o = 0;
      for (let d = 0; d < shape.length; d++) o = o * outShape[d] + (axes.includes(d) ? 0 : index[d]);
      out[o] = combine(out[o], x[i]);
      for (let d = shape.length - 1; d >= 0 && ++index[d] === shape[d]; d--) index[d] = 0;
    }
    return out;
  }

  const cases: [number[], number[]][] = [
    [[7], [0]], [[3, 17], [1]], [[3, 17], [0]], [[2, 3, 37], [1, 2]], [[2, 3, 37], [0, 1]], [[40, 3, 19], [1]],
    [[300, 250], [1]], [[300, 250], [0]], [[5, 33], [0]], [[4, 0], [1]], [[2, 70001], [1]], [[70001, 2], [0]],
  ];

  it.each(cases)('sum and max of %j over %j match a float64 reference', (shape, axes) => {
    const x = values(`reduce|${shape}|${axes}`, shape);
    const input = [{ values: x, shape }];
    expectClose(on(fast, input, (t) => sum(t, axes)), reduceRef(x, shape, axes, 0, (a, v) => a + v), tolerances.reduction, 'sum');
    if (size(shape) > 0) expectClose(on(fast, input, (t) => max(t, axes)), reduceRef(x, shape, axes, -Infinity, Math.max), tolerances.exact, 'max');
  });

  it('max propagates NaN and sums are identical on 1 and 2 threads', () => {
    const x = values('nan', [3, 20]);
    x[25] = NaN;
    expect(Array.from(on(fast, [{ values: x, shape: [3, 20] }], (t) => max(t, 1))).map(Number.isNaN)).toEqual([false, true, false]);
    expect(Array.from(on(fast, [{ values: x, shape: [3, 20] }], (t) => max(t, 0))).filter(Number.isNaN)).toHaveLength(1);
    const big = values('threads', [70001, 2]);
    for (const axes of [[0], [1], [0, 1]]) {
      expect(on(fast, [{ values: big, shape: [70001, 2] }], (t) => sum(t, axes))).toEqual(on(single, [{ values: big, shape: [70001, 2] }], (t) => sum(t, axes)));
    }
  });
});

describe('wasm softmax and layerNorm', () => {
  function softmaxRef(x: Float64Array, rows: number, length: number): Float64Array {
    const out = new Float64Array(x.length);
    for (let r = 0; r < rows; r++) {
      const row = x.subarray(r * length, (r + 1) * length);
      const top = Math.max(...row);
      const shift = top === -Infinity ? 0 : top;
      const e = Array.from(row, (v) => Math.exp(v - shift));
      const total = e.reduce((p, v) => p + v, 0) || 1;
      e.forEach((v, l) => (out[r * length + l] = v / total));
    }
    return out;
  }

  it('softmax over the last axis matches a float64 reference (rows of 1, 3, 4, 37 and 1000)', () => {
    for (const shape of [[1, 1], [5, 3], [2, 4], [3, 2, 37], [70, 1000]]) {
      const x = values(`softmax|${shape}`, shape, -8, 8);
      const length = shape.at(-1)!;
      expectClose(on(fast, [{ values: x, shape }], (t) => softmax(t)), softmaxRef(x, x.length / length, length), tolerances.reduction, `${shape}`);
    }
  });

  it('softmax gives zeros for an all −∞ row, handles −∞ entries, and other axes on the float64 path', () => {
    const x = [-Infinity, -Infinity, -Infinity, 0, -Infinity, 1];
    expectClose(on(fast, [{ values: x, shape: [2, 3] }], (t) => softmax(t)), softmaxRef(Float64Array.from(x), 2, 3), tolerances.reduction);
    const y = values('softmax-axis0', [4, 6]);
    const want = on(reference, [{ values: y, shape: [4, 6] }], (t) => softmax(t, 0));
    expectClose(on(fast, [{ values: y, shape: [4, 6] }], (t) => softmax(t, 0)), want, tolerances.reduction);
  });

  it('layerNorm with and without weight and bias, over one and two axes, matches the decomposition on the reference backend', () => {
    for (const [shape, axes] of [[[4, 7], 1], [[3, 5, 64], 1], [[2, 3, 5], 2], [[300, 33], 1]] as const) {
      const x = values(`ln|${shape}`, shape);
      const normalized = shape.slice(shape.length - axes);
      const w = values(`ln-w|${shape}`, normalized);
      const b = values(`ln-b|${shape}`, normalized);
      const inputs = [{ values: x, shape: [...shape] }, { values: w, shape: normalized }, { values: b, shape: normalized }];
      for (const [useW, useB] of [[true, true], [false, false], [true, false], [false, true]]) {
        const fn = (t: Tensor, wt: Tensor, bt: Tensor) => layerNorm(t, useW ? wt : null, useB ? bt : null, { normalizedAxes: axes, eps: 1e-3 });
        expectClose(on(fast, inputs, fn), on(reference, inputs, fn), tolerances.reduction, `${shape} w=${useW} b=${useB}`);
      }
    }
  });

  it('f64 tensors use the float64 paths, and nothing leaks', () => {
    const before = memory(fast).liveTensors;
    tidy(() => {
      const x = fromArray(values('f64', [3, 5]), [3, 5], 'f64', fast);
      const r = fromArray(values('f64', [3, 5]), [3, 5], 'f64', reference);
      expectClose(noGrad(() => softmax(x)).dataSync(), noGrad(() => softmax(r)).dataSync(), { atol: 1e-12, rtol: 1e-12 });
      expectClose(noGrad(() => layerNorm(x)).dataSync(), noGrad(() => layerNorm(r)).dataSync(), { atol: 1e-12, rtol: 1e-12 });
      expectClose(exp(x).dataSync(), exp(r).dataSync(), tolerances.exact);
    });
    expect(memory(fast).liveTensors).toBe(before);
  });
});

describe('the wasm CPU backend', () => {
  it('passes the conformance suite against the reference backend', async () => {
    const failures = (await runConformance(fast, { seed: 5 })).filter((r) => !r.ok).map((r) => `${r.name}: ${r.message}`);
    expect(failures).toEqual([]);
  });
});
