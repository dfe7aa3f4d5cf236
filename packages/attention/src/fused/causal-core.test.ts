import {
  ConfigError, DTypeError, ShapeError, add, createCpuBackend, fromArray, getBackend, memory, mul, setBackend, sum, tidy, withImpl, zeros,
  type CpuBackend,
} from '@longshort/tensor';
import { compareClose, gradcheck, gradcheckBackend, randomGenerator, randomValues, relativeError } from '@longshort/tensor/testing';
import { describe, expect, it, vi } from 'vitest';
import { CausalLongShortAttention, type CausalLongShortConfig } from '../long-short/causal.js';
import { causalLongShortCore, type CausalCoreInputs } from './causal-core.js';
import { expectOutputsClose } from './core-test-support.js';
import { causalData, causalInputNames, causalLoss, causalOutputNames, causalShapes, type CausalCase } from './causal-test-support.js';
import { registerFusedAttentionKernels } from './register.js';

const fused = createCpuBackend({ name: 'cpu-fused' });
registerFusedAttentionKernels(fused);

/** context, lse and the nine input gradients of sum(context · a) + sum(lse · b) on the fused backend, on the kernel or the composed path. */
function runCore(c: CausalCase, dtype: 'f32' | 'f64', impl: 'auto' | 'composed'): Float64Array[] {
  const data = causalData(c);
  return tidy(() => {
    const tensors = data.values.map((v, i) => fromArray(v, data.shapes[i], dtype, fused).requireGrad());
    const { context, lse } = causalLoss(tensors, data, c.attrs, impl);
    const grads = tensors.map((t) => Float64Array.from(t.grad!.dataSync()));
    for (const t of tensors) t.grad!.dispose();
    return [Float64Array.from(context.dataSync()), Float64Array.from(lse.dataSync()), ...grads];
  });
}

const cases: [string, CausalCase][] = [
  ['M < W, r = 1', { B: 2, H: 2, M: 4, W: 6, d: 4, attrs: { chunkSize: 2, chunkRank: 1, memoryChunks: 3 }, seed: 1 }],
  ['M = W, r = 2', { B: 1, H: 2, M: 4, W: 4, d: 4, attrs: { chunkSize: 2, chunkRank: 2, memoryChunks: 2 }, seed: 2 }],
  ['M > W, r = 2', { B: 2, H: 1, M: 6, W: 3, d: 3, attrs: { chunkSize: 3, chunkRank: 2, memoryChunks: 1 }, seed: 3 }],
  ['M > W, ℓ = 1, r = 1', { B: 1, H: 2, M: 8, W: 2, d: 4, attrs: { chunkSize: 1, chunkRank: 1, memoryChunks: 2 }, seed: 4 }],
  ['more keys than one tile (N + W > 64)', { B: 1, H: 1, M: 8, W: 64, d: 8, attrs: { chunkSize: 4, chunkRank: 2, memoryChunks: 16 }, seed: 5 }],
];

describe('causalLongShortCore: fused kernels equal the composed reference', () => {
  for (const [name, c] of cases) {
    it(`${name}: outputs, lse and the gradients of all nine inputs (f32 within 1e-5, f64 within 1e-12)`, () => {
      for (const [dtype, tolerance] of [['f32', 1e-5], ['f64', 1e-12]] as const) {
        expectOutputsClose(runCore(c, dtype, 'auto'), runCore(c, dtype, 'composed'), causalOutputNames.map((name) => `${dtype} ${name}`), tolerance);
      }
    });
  }

  it('passes a float64 finite-difference gradient check through the kernels', () => {
    registerFusedAttentionKernels(gradcheckBackend() as CpuBackend);
    const c: CausalCase = { B: 1, H: 1, M: 4, W: 2, d: 2, attrs: { chunkSize: 2, chunkRank: 1, memoryChunks: 1 }, seed: 6 };
    const g = randomGenerator(c.seed);
    const inputs = causalShapes(c).map((shape) => ({ values: randomValues(g, shape.reduce((a, b) => a * b, 1)), shape }));
    gradcheck((q, u, v, kWin, vWin, rWin, kBar, vBar, rChunk) => {
      const { context, lse } = causalLongShortCore({ q, u, v, kWin, vWin, rWin, kBar, vBar, rChunk }, c.attrs);
      return add(sum(context, -1), lse); // (B, H, M)
    }, inputs);
  });

  it('frees every intermediate of forward and backward', () => {
    runCore(cases[2][1], 'f32', 'auto');
    const before = memory(fused).liveTensors;
    runCore(cases[2][1], 'f32', 'auto');
    expect(memory(fused).liveTensors).toBe(before);
  });
});

describe('causalLongShortCore validation', () => {
  const c = cases[0][1];
  const valid = () => Object.fromEntries(causalInputNames.map((name, i) => [name, zeros(causalShapes(c)[i], 'f32', fused)])) as unknown as CausalCoreInputs;

  it('rejects mismatched shapes, naming the argument', () => {
    expect(() => causalLongShortCore({ ...valid(), kBar: zeros([2, 2, 4, 4], 'f32', fused) }, c.attrs)).toThrow(ShapeError);
    expect(() => causalLongShortCore({ ...valid(), kWin: zeros([2, 2, 9, 4], 'f32', fused) }, c.attrs)).toThrow(/kWin has the wrong shape/);
    expect(() => causalLongShortCore(valid(), { ...c.attrs, chunkSize: 3 })).toThrow(/multiple of chunkSize 3/);
    const long = { ...valid(), q: zeros([2, 2, 8, 4], 'f32', fused) };
    expect(() => causalLongShortCore(long, { ...c.attrs, chunkSize: 2 })).toThrow(/at most, or a multiple of, the window 6/);
  });

  it('rejects bad attributes and mixed dtypes', () => {
    expect(() => causalLongShortCore(valid(), { ...c.attrs, chunkRank: 0 })).toThrow(ConfigError);
    expect(() => causalLongShortCore({ ...valid(), rWin: zeros([2, 6, 4], 'f64', fused) }, c.attrs)).toThrow(DTypeError);
  });
});

describe('CausalLongShortAttention through the fused kernels', () => {
  const configs: [CausalLongShortConfig, number, number][] = [
    [{ dim: 8, numHeads: 2, chunkSize: 2, chunkRank: 1, windowLen: 6 }, 4, 6], // M < W
    [{ dim: 8, numHeads: 2, chunkSize: 2, chunkRank: 2, windowLen: 4 }, 8, 4], // M > W
  ];
  const previous = getBackend();
  for (const [config, M, L] of configs) {
    it(`equals the composed module (M ${M}, W ${config.windowLen}, r ${config.chunkRank}) in outputs and every gradient`, () => {
      const g = randomGenerator(M + L);
      setBackend(fused);
      const module = new CausalLongShortAttention(config);
      setBackend(previous);
      tidy(() => module.loadStateDict(new Map([...module.stateDict()].map(([key, p]) => [key, fromArray(randomValues(g, p.size), p.shape, 'f32', fused)]))));
      const xValues = randomValues(g, 2 * M * config.dim);
      const memoryValues = randomValues(g, 2 * L * config.dim);
      const spy = vi.spyOn(fused, 'run');
      const run = (impl: 'auto' | 'composed') => tidy(() => {
        const x = fromArray(xValues, [2, M, config.dim], 'f32', fused).requireGrad();
        const y = withImpl(impl, () => module.forward(x, fromArray(memoryValues, [2, L, config.dim], 'f32', fused)));
        sum(mul(y, y)).backward();
        const grads = [x, ...module.parameters()].map((p) => {
          const values = Float64Array.from(p.grad!.dataSync());
          p.grad!.dispose();
          p.grad = null;
          return values;
        });
        return { y: Float64Array.from(y.dataSync()), grads };
      });
      const a = run('auto');
      expect(spy.mock.calls.map(([op]) => op)).toContain('causalLongShortAttentionBackward');
      spy.mockRestore();
      const b = run('composed');
      expect(relativeError(a.y, b.y)).toBeLessThan(1e-5);
      // NOTE: errors are measured against a floor of 1e-2 × the largest gradient (some are ~0).
      const floor = 1e-2 * Math.max(...b.grads.map((grad) => Math.max(...grad.map(Math.abs))));
      a.grads.forEach((grad, i) => {
        const scale = Math.max(floor, ...b.grads[i].map(Math.abs));
        expect(compareClose(grad, b.grads[i]).maxAbsDiff / scale, `gradient ${i}`).toBeLessThan(1e-5);
      });
      module.dispose();
    });
  }
});
