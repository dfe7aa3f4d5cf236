// The full-attention baseline: relShift and the layer against plain float64 loops, causality of the
// whole model, parameter counts (formula = the modules' parameters, the matched config), config errors.
import { ConfigError, Generator, ShapeError, fromArray, manualSeed, memory, noGrad, tidy, type Tensor } from '@longshort/tensor';
import { gradcheck } from '@longshort/tensor/testing';
import { describe, expect, it } from 'vitest';
import { initializeForTraining } from '../train/init.js';
import { matchedFullAttentionConfig, parameterCount, presets, validateTransformerLSConfig, type TransformerLSConfig } from './config.js';
import { RelativeFullAttention, relShift } from './full-attention.js';
import { TransformerLSModel } from './model.js';

const random = (seed: number) => {
  const generator = new Generator(seed);
  return (n: number) => Array.from({ length: n }, () => generator.uniform() * 2 - 1);
};

const tiny: TransformerLSConfig = {
  vocabSize: 7, dModel: 8, dInner: 16, nHead: 2, nLayer: 2, memLen: 8, chunkSize: 2, chunkRank: 2, windowLen: 4,
  preLn: true, useGelu: true, useBias: false, dropout: 0, layerNormEps: 1e-5, attention: 'full',
};

/** A tensor's values as numbers. */
const values = (t: Tensor) => Array.from(t.dataSync(), Number);

/** The values of what `fn` computes (without gradients), every tensor freed. */
function compute(fn: () => Tensor): number[] {
  const out = noGrad(() => tidy(fn));
  const result = values(out);
  out.dispose();
  return result;
}

/** y = x·Wᵀ (+ b) for x (n, in) given as rows. */
function linearRef(x: number[][], weight: Tensor, bias: Tensor | null): number[][] {
  const [out, inp] = weight.shape;
  const w = values(weight);
  const b = bias ? values(bias) : null;
  return x.map((row) => Array.from({ length: out }, (_, o) => {
    let s = b ? b[o] : 0;
    for (let k = 0; k < inp; k++) s += row[k] * w[o * inp + k];
    return s;
  }));
}

/** PE(p) of spec B.7: sines then cosines. */
function sinusoidRef(p: number, D: number): number[] {
  const half = D / 2;
  const angles = Array.from({ length: half }, (_, k) => p / 10000 ** ((2 * k) / D));
  return [...angles.map(Math.sin), ...angles.map(Math.cos)];
}

/** The layer in float64 loops: s[i, j] = (q̂_i + u)·k_j + (q̂_i + v)·R[L + i − j] for j ≤ L + i, softmax, ·V, out. */
function attentionRef(attn: RelativeFullAttention, x: number[][], mem: number[][]): number[][] {
  const { dim: D, numHeads: H } = attn.config;
  const d = D / H;
  const L = mem.length;
  const joined = [...mem, ...x];
  const q = linearRef(x, attn.proj_query.weight, attn.proj_query.bias).map((row) => row.map((v) => v / Math.sqrt(d)));
  const k = linearRef(joined, attn.proj_key.weight, attn.proj_key.bias);
  const v = linearRef(joined, attn.proj_val.weight, attn.proj_val.bias);
  const r = linearRef(Array.from({ length: joined.length }, (_, delta) => sinusoidRef(delta, D)), attn.r_net.weight, null);
  const u = values(attn.r_w_bias);
  const vb = values(attn.r_r_bias);
  const context = x.map((_, i) => {
    const out = new Array<number>(D).fill(0);
    for (let h = 0; h < H; h++) {
      const scores: number[] = [];
      for (let j = 0; j <= L + i; j++) {
        let s = 0;
        for (let c = h * d; c < (h + 1) * d; c++) s += (q[i][c] + u[c]) * k[j][c] + (q[i][c] + vb[c]) * r[L + i - j][c];
        scores.push(s);
      }
      const top = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - top));
      const total = exps.reduce((a, b) => a + b, 0);
      exps.forEach((e, j) => {
        for (let c = h * d; c < (h + 1) * d; c++) out[c] += (e / total) * v[j][c];
      });
    }
    return out;
  });
  return linearRef(context, attn.proj_out.weight, attn.proj_out.bias);
}

describe('relShift', () => {
  it('moves column M − 1 − i + j of row i to column j on the causal part', () => {
    for (const [B, H, M, K] of [[2, 3, 4, 9], [1, 1, 5, 5], [1, 2, 1, 3]]) {
      const raw = random(B * H * M * K)(B * H * M * K);
      const out = compute(() => relShift(fromArray(raw, [B, H, M, K])));
      for (let bh = 0; bh < B * H; bh++) {
        for (let i = 0; i < M; i++) {
          for (let j = 0; j <= K - M + i; j++) expect(out[(bh * M + i) * K + j]).toBe(Math.fround(raw[(bh * M + i) * K + M - 1 - i + j]));
        }
      }
    }
  });

  it('has the gradient of its float64 central differences', () => {
    gradcheck((x) => relShift(x), [{ values: random(3)(2 * 3 * 5), shape: [1, 2, 3, 5] }]);
  });
});

describe('RelativeFullAttention', () => {
  it('matches float64 loops, with and without biases, memory longer or shorter than the block, and an empty memory', () => {
    const baseline = memory().liveTensors;
    for (const [B, M, L, D, H, bias] of [[2, 4, 6, 8, 2, false], [1, 5, 2, 6, 3, true], [1, 3, 0, 4, 1, false]] as const) {
      manualSeed(B + M + L);
      const attn = new RelativeFullAttention({ dim: D, numHeads: H, bias });
      initializeForTraining(attn, new Generator(7));
      const draw = random(M * 10 + L);
      const x = draw(B * M * D);
      const mem = draw(B * L * D);
      const got = compute(() => attn.forward(fromArray(x, [B, M, D]), fromArray(mem, [B, L, D])));
      for (let b = 0; b < B; b++) {
        const rows = (flat: number[], n: number) => Array.from({ length: n }, (_, t) => flat.slice((b * n + t) * D, (b * n + t + 1) * D));
        const want = attentionRef(attn, rows(x, M), rows(mem, L)).flat();
        const max = Math.max(...want.map(Math.abs));
        want.forEach((w, i) => expect(Math.abs(got[b * M * D + i] - w) / max).toBeLessThan(1e-5));
      }
      attn.dispose();
    }
    expect(memory().liveTensors).toBe(baseline);
  });

  it('rejects bad configs and shapes', () => {
    expect(() => new RelativeFullAttention({ dim: 6, numHeads: 4 })).toThrow(/a divisor of dim 6/);
    expect(() => new RelativeFullAttention({ dim: 5, numHeads: 1 })).toThrow(/an even number/);
    expect(() => new RelativeFullAttention({ dim: 0, numHeads: 1 })).toThrow(ConfigError);
    const attn = new RelativeFullAttention({ dim: 4, numHeads: 2 });
    expect(() => tidy(() => attn.forward(fromArray(new Float32Array(8), [1, 2, 4]), fromArray(new Float32Array(6), [1, 2, 3])))).toThrow(ShapeError);
    expect(() => tidy(() => attn.forward(fromArray(new Float32Array(6), [1, 2, 3]), fromArray(new Float32Array(8), [1, 2, 4])))).toThrow(/\(B, M, 4\)/);
    attn.dispose();
  });
});

describe("TransformerLSModel with attention: 'full'", () => {
  it('is causal: the log-probabilities at t do not change when later tokens do', () => {
    manualSeed(3);
    const model = new TransformerLSModel(tiny).eval();
    initializeForTraining(model, new Generator(4));
    const ids = Int32Array.from([1, 2, 3, 4, 5, 6, 0, 1]);
    const changed = Int32Array.from([1, 2, 3, 4, 5, 2, 3, 0]);
    const run = (tokens: Int32Array) => compute(() => {
      const first = model.forward(fromArray(tokens.subarray(0, 4), [1, 4], 'i32'), model.initialMemories(1));
      return model.forward(fromArray(tokens.subarray(4), [1, 4], 'i32'), first.memories).logProbs; // (1, 4, V): memories carried
    });
    const [a, b] = [run(ids), run(changed)];
    const V = tiny.vocabSize;
    expect(a.slice(0, V)).toEqual(b.slice(0, V)); // position 4 sees tokens 0…4, which agree
    expect(Math.max(...a.slice(V).map((x, i) => Math.abs(x - b[V + i])))).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('counts its parameters as parameterCount says, and the matched config comes within nLayer·D of the long-short count', () => {
    for (const config of [tiny, { ...tiny, attention: 'long-short' as const, useBias: true }, { ...tiny, chunkRank: 1 }]) {
      const model = new TransformerLSModel(config);
      // NOTE: the tied output weight is one parameter; parameters() lists it once.
      expect(model.parameters().reduce((n, p) => n + p.size, 0)).toBe(parameterCount(config));
      model.dispose();
    }
    for (const config of [presets.small, presets.enwik8Base, { ...tiny, attention: undefined }]) {
      const full = matchedFullAttentionConfig(config);
      expect(full.attention).toBe('full');
      expect(Math.abs(parameterCount(full) - parameterCount(config))).toBeLessThanOrEqual(config.nLayer * config.dModel);
    }
    expect(matchedFullAttentionConfig(presets.small).dInner).toBe(580);
  });

  it('rejects an unknown attention kind', () => {
    expect(() => validateTransformerLSConfig({ ...tiny, attention: 'sparse' as 'full' })).toThrow(/attention.*'long-short' or 'full'.*"sparse"/);
    expect(() => validateTransformerLSConfig({ ...tiny, attention: undefined })).not.toThrow();
  });
});
