import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ConfigError, DTypeError, ShapeError, add, createCpuBackend, fromArray, getBackend, memory, mul, narrow, reshape, setBackend, sum, tidy, withImpl, zeros,
  type CpuBackend,
} from '@longshort/tensor';
import { compareClose, gradcheck, gradcheckBackend, loadFixture, randomGenerator, randomValues, relativeError } from '@longshort/tensor/testing';
import { describe, expect, it, vi } from 'vitest';
import { LongShortAttention, type LongShortAttentionConfig } from '../long-short/bidirectional.js';
import { fixtureHandler } from '../testing/fixture-handler.js';
import { expectOutputsClose } from './core-test-support.js';
import { longShortCore, type LongShortCoreAttrs } from './long-short-core.js';
import { coreData, coreLoss, coreOutputNames, type CoreCase } from './long-short-test-support.js';
import { registerFusedAttentionKernels } from './register.js';

const fused = createCpuBackend({ name: 'cpu-fused' });
registerFusedAttentionKernels(fused);

/** A tensor of `values` (shape), or a view of them 3 elements into a larger storage. */
function atOffset(values: Float64Array, shape: number[], dtype: 'f32' | 'f64', offset: boolean) {
  if (!offset) return fromArray(values, shape, dtype, fused);
  const storage = new Float64Array(values.length + 3);
  storage.set(values, 3);
  const view = reshape(narrow(fromArray(storage, [storage.length], dtype, fused), 0, 3, values.length), shape);
  expect(view.offset).toBe(3);
  return view;
}

/**
 * context, lse and the five input gradients of sum(context · a) + sum(lse · b) on the fused backend,
 * on the kernel or the composed path (inputs 3 elements into their storage when `c.offset`).
 */
function runCore(c: CoreCase, dtype: 'f32' | 'f64', impl: 'auto' | 'composed'): Float64Array[] {
  const data = coreData(c);
  return tidy(() => {
    const inputs = data.values.map((v, i) => atOffset(v, data.shapes[i], dtype, c.offset === true).requireGrad());
    const { context, lse } = coreLoss(inputs, fromArray(data.valid, [c.B, c.n], 'bool', fused), data, impl);
    // An input that no score or value depends on gets no gradient on the composed path: zeros.
    const grads = inputs.map((t) => (t.grad ? Float64Array.from(t.grad.dataSync()) : new Float64Array(t.size)));
    for (const t of inputs) t.grad?.dispose();
    return [Float64Array.from(context.dataSync()), Float64Array.from(lse.dataSync()), ...grads];
  });
}

const cases: [string, CoreCase][] = [
  ['odd w = 3, r\' = 2, padding', { B: 2, H: 2, n: 12, d: 4, rp: 2, w: 3, padding: 0.3, seed: 1 }],
  ['w = 1, r\' = 3', { B: 1, H: 2, n: 5, d: 4, rp: 3, w: 1, padding: 0, seed: 2 }],
  ['w = 5, r\' = 3 (CLS + 2), padding', { B: 2, H: 1, n: 10, d: 8, rp: 3, w: 5, padding: 0.3, seed: 3 }],
  ['window-only, one segment', { B: 1, H: 2, n: 4, d: 4, rp: 0, w: 4, padding: 0.25, seed: 4 }],
  ['window-only, heavy padding (all-padding windows)', { B: 2, H: 1, n: 16, d: 4, rp: 0, w: 2, padding: 0.7, seed: 5 }],
  ['projection-only', { B: 2, H: 2, n: 6, d: 4, rp: 2, w: 0, padding: 0.3, seed: 6 }],
  ['diagonal-only with a CLS slot', { B: 1, H: 2, n: 6, d: 4, rp: 1, w: 0, diagonal: true, padding: 0.3, seed: 7 }],
  ['diagonal-only, no landmarks', { B: 2, H: 1, n: 5, d: 3, rp: 0, w: 0, diagonal: true, padding: 0.3, seed: 8 }],
  ['more keys than one tile (r\' + 2w > 64)', { B: 1, H: 2, n: 64, d: 8, rp: 5, w: 32, padding: 0.2, seed: 9 }],
  ['empty batch', { B: 0, H: 2, n: 4, d: 4, rp: 1, w: 2, padding: 0, seed: 10 }],
  ['inputs that start at an offset into their storage', { B: 2, H: 2, n: 9, d: 4, rp: 2, w: 3, padding: 0.2, seed: 11, offset: true }],
];

describe('longShortCore: fused kernels equal the composed reference', () => {
  for (const [name, c] of cases) {
    it(`${name}: outputs, lse and all input gradients (f32 within 1e-5, f64 within 1e-12)`, () => {
      for (const [dtype, tolerance] of [['f32', 1e-5], ['f64', 1e-12]] as const) {
        expectOutputsClose(runCore(c, dtype, 'auto'), runCore(c, dtype, 'composed'), coreOutputNames.map((name) => `${dtype} ${name}`), tolerance);
      }
    });
  }

  it('pads: padded queries get zero rows and lse 0, and padded keys do not matter', () => {
    const c: CoreCase = { B: 1, H: 1, n: 8, d: 4, rp: 2, w: 2, padding: 0.4, seed: 11 };
    const g = randomGenerator(c.seed);
    const q = fromArray(randomValues(g, 32), [1, 1, 8, 4], 'f32', fused);
    const k = fromArray(randomValues(g, 32), [1, 1, 8, 4], 'f32', fused);
    const v = fromArray(randomValues(g, 32), [1, 1, 8, 4], 'f32', fused);
    const kBar = fromArray(randomValues(g, 8), [1, 1, 2, 4], 'f32', fused);
    const valid = fromArray([1, 1, 0, 1, 1, 1, 0, 0], [1, 8], 'bool', fused);
    const k2 = fromArray(k.dataSync().map((x, i) => ([2, 6, 7].includes(i >> 2) ? x * 50 : x)), [1, 1, 8, 4], 'f32', fused);
    const one = longShortCore(q, k, v, kBar, kBar, valid, { window: 2, diagonal: false });
    const two = longShortCore(q, k2, v, kBar, kBar, valid, { window: 2, diagonal: false });
    const context = one.context.dataSync();
    for (const i of [2, 6, 7]) {
      expect(Array.from(context.slice(i * 4, i * 4 + 4))).toEqual([0, 0, 0, 0]);
      expect(one.lse.dataSync()[i]).toBe(0);
    }
    expect(relativeError(two.context.dataSync(), context)).toBe(0);
    for (const t of [q, k, v, kBar, valid, k2, one.context, one.lse, two.context, two.lse]) t.dispose();
  });

  it('passes a float64 finite-difference gradient check through the kernels', () => {
    registerFusedAttentionKernels(gradcheckBackend() as CpuBackend);
    const g = randomGenerator(12);
    const [B, H, n, d, rp] = [1, 2, 6, 3, 2];
    const full = { values: randomValues(g, B * H * n * d), shape: [B, H, n, d] };
    const landmarks = () => ({ values: randomValues(g, B * H * rp * d), shape: [B, H, rp, d] });
    const valid = { values: [1, 1, 1, 1, 0, 1], shape: [B, n], dtype: 'bool' as const };
    gradcheck((q, k, v, kBar, vBar, m) => {
      const { context, lse } = longShortCore(q, k, v, kBar, vBar, m, { window: 3, diagonal: false });
      return add(sum(context, -1), lse); // (B, H, n)
    }, [full, { ...full, values: randomValues(g, full.values.length) }, { ...full, values: randomValues(g, full.values.length) }, landmarks(), landmarks(), valid]);
  });

  it('frees every intermediate of forward and backward', () => {
    const c: CoreCase = { B: 1, H: 2, n: 8, d: 4, rp: 2, w: 4, padding: 0.2, seed: 13 };
    runCore(c, 'f32', 'auto');
    const before = memory(fused).liveTensors;
    runCore(c, 'f32', 'auto');
    expect(memory(fused).liveTensors).toBe(before);
  });
});

describe('longShortCore validation', () => {
  const t = (shape: number[], dtype: 'f32' | 'f64' | 'bool' = 'f32') => zeros(shape, dtype, fused);
  const q = t([1, 2, 8, 4]);
  const kBar = t([1, 2, 1, 4]);
  const valid = t([1, 8], 'bool');
  const none: LongShortCoreAttrs = { window: 4, diagonal: false };

  it('rejects mismatched shapes, naming the argument', () => {
    expect(() => longShortCore(q, t([1, 2, 7, 4]), q, kBar, kBar, valid, none)).toThrow(ShapeError);
    expect(() => longShortCore(q, q, q, kBar, t([1, 2, 2, 4]), valid, none)).toThrow(/vBar has the wrong shape/);
    expect(() => longShortCore(q, q, q, kBar, kBar, t([1, 7], 'bool'), none)).toThrow(/valid has the wrong shape/);
    expect(() => longShortCore(q, q, q, kBar, kBar, valid, { window: 3, diagonal: false })).toThrow(/multiple of the window size 3/);
  });

  it('rejects wrong dtypes', () => {
    expect(() => longShortCore(q, t([1, 2, 8, 4], 'f64'), q, kBar, kBar, valid, none)).toThrow(DTypeError);
    expect(() => longShortCore(q, q, q, kBar, kBar, t([1, 8]), none)).toThrow(/'valid'.*expected bool/);
  });

  it('rejects attribute combinations without keys', () => {
    expect(() => longShortCore(q, q, q, kBar, kBar, valid, { window: -1, diagonal: false })).toThrow(ConfigError);
    expect(() => longShortCore(q, q, q, kBar, kBar, valid, { window: 4, diagonal: true })).toThrow(/'diagonal' is invalid/);
    const empty = t([1, 2, 0, 4]);
    expect(() => longShortCore(q, q, q, empty, empty, valid, { window: 0, diagonal: false })).toThrow(/positive window, landmarks/);
  });
});

describe('LongShortAttention through the fused kernels', () => {
  const fixtures = ['bidir-basic', 'bidir-cls', 'bidir-four-heads', 'bidir-window-only'];
  const fixturePath = (name: string) => fileURLToPath(new URL(`../../../../fixtures/reference/${name}.safetensors`, import.meta.url));
  for (const name of fixtures) {
    it(`reproduces ${name} with the fused kernels (outputs within 1e-4, gradients within 1e-3)`, async () => {
      const run = vi.spyOn(fused, 'run');
      const fixture = loadFixture(readFileSync(fixturePath(name)), fused);
      const { outputs, gradients } = await fixtureHandler.run(fixture, fused);
      for (const o of outputs) expect(o.relError, o.name).toBeLessThan(1e-4);
      for (const g of gradients) expect(g.relError, g.name).toBeLessThan(1e-3);
      const ops = run.mock.calls.map(([op]) => op);
      expect(ops).toContain('longShortAttention');
      expect(ops).toContain('longShortAttentionBackward');
      run.mockRestore();
      for (const t of fixture.tensors.values()) t.dispose();
    });
  }

  const configs: [LongShortAttentionConfig, number][] = [
    [{ dim: 12, numHeads: 3, numLandmarks: 1, windowSize: 3 }, 12],
    [{ dim: 8, numHeads: 1, numLandmarks: 2, windowSize: 5, poolingMode: 'cls' }, 11],
    [{ dim: 8, numHeads: 2, numLandmarks: 0, windowSize: 0, poolingMode: 'cls' }, 7],
  ];
  const previous = getBackend();
  for (const [config, tokens] of configs) {
    it(`equals the composed module (w ${config.windowSize}, r ${config.numLandmarks}, ${config.poolingMode ?? 'mean'}) in outputs and every gradient`, () => {
      const g = randomGenerator(tokens);
      const x = randomValues(g, 2 * tokens * config.dim);
      const mask = Array.from({ length: 2 * tokens }, (_, i) => (i % tokens < tokens - 1 - (i >= tokens ? 2 : 0) ? 1 : 0));
      const module = tidy(() => {
        setBackend(fused);
        const m = new LongShortAttention(config);
        setBackend(previous);
        m.loadStateDict(new Map([...m.stateDict()].map(([key, p]) => [key, fromArray(randomValues(g, p.size), p.shape, 'f32', fused)])));
        return m;
      });
      const run = (impl: 'auto' | 'composed') => tidy(() => {
        const input = fromArray(x, [2, tokens, config.dim], 'f32', fused).requireGrad();
        const y = withImpl(impl, () => module.forward(input, fromArray(mask, [2, tokens], 'f32', fused)));
        sum(mul(y, y)).backward();
        const grads = [input, ...module.parameters()].map((p) => {
          const values = p.grad ? Float64Array.from(p.grad.dataSync()) : new Float64Array(p.size); // dconv_fc is (D, 0) when r = 0
          p.grad?.dispose();
          p.grad = null;
          return values;
        });
        return { y: Float64Array.from(y.dataSync()), grads };
      });
      const a = run('auto');
      const b = run('composed');
      expect(relativeError(a.y, b.y)).toBeLessThan(1e-5);
      // NOTE: dconv_fc's bias has an exactly zero gradient (the sequence softmax is shift-invariant),
      // so each gradient's error is measured against a floor of 1e-2 × the largest gradient.
      const floor = 1e-2 * Math.max(...b.grads.map((grad) => Math.max(...grad.map(Math.abs))));
      a.grads.forEach((grad, i) => {
        const scale = Math.max(floor, ...b.grads[i].map(Math.abs));
        expect(compareClose(grad, b.grads[i]).maxAbsDiff / scale, `gradient ${i}`).toBeLessThan(1e-5);
      });
      module.dispose();
    });
  }
});

describe('registration (docs/adr/0004)', () => {
  it('runs the composed ops on a backend without the kernels, the kernels after registerFusedAttentionKernels', () => {
    const plain = createCpuBackend({ name: 'cpu-plain' });
    const spy = vi.spyOn(plain, 'run');
    const make = (values: Float64Array, shape: number[]) => fromArray(values, shape, 'f32', plain);
    const g = randomGenerator(14);
    const q = make(randomValues(g, 64), [1, 2, 8, 4]);
    const kBar = make(randomValues(g, 8), [1, 2, 1, 4]);
    const valid = fromArray(new Uint8Array(8).fill(1), [1, 8], 'bool', plain);
    const attend = () => longShortCore(q, q, q, kBar, kBar, valid, { window: 4, diagonal: false });
    const composed = attend();
    expect(plain.hasKernel('longShortAttention')).toBe(false);
    expect(spy.mock.calls.map(([op]) => op)).not.toContain('longShortAttention');
    registerFusedAttentionKernels(plain);
    spy.mockClear();
    const kernel = attend();
    expect(spy.mock.calls.map(([op]) => op)).toEqual(['longShortAttention']);
    expect(relativeError(kernel.context.dataSync(), composed.context.dataSync())).toBeLessThan(1e-6);
    for (const t of [q, kBar, valid, composed.context, composed.lse, kernel.context, kernel.lse]) t.dispose();
    spy.mockRestore();
  });
});
