// The lm suite's pure parts (scale checks, ratios, the budget rule, report tables and charts, the
// command line's arguments) and one run of every measurement on a tiny model and corpus, with a
// WebGPU backend that cannot be created (recorded as skipped, not as a failure).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { corpusFromBytes, parameterCount, presets } from '@longshort/lm';
import { ConfigError, getBackend } from '@longshort/tensor';
import { describe, expect, it } from 'vitest';
import { chartsSvg } from '../plot.js';
import { attendedKeys, costRatio, decodeConfig, decodeMethods } from './lm-decode.js';
import { wantsMoreRuns } from '../measure.js';
import { measureTrainingThroughput } from './lm-train.js';
import { checkLmScale, formatLmTable, isResult, lmCharts, lmFailed, lmScales, runLmSuite, type LmReport } from './lm.bench.js';
import { uniform } from './matmul.bench.js';

const budget = { warmupRuns: 1, minRuns: 3, minTimeMs: 0, maxRuns: 3, slowRunMs: Infinity };
const stats = (median: number) => ({ runs: 3, median_ms: median, p10_ms: median * 0.9, p90_ms: median * 1.1 });

describe('checkLmScale', () => {
  it('accepts the suite scales with the command line budgets and rejects bad contexts and too many pushes', () => {
    expect(() => checkLmScale(lmScales.full, presets.small, { ...budget, warmupRuns: 2, maxRuns: 60 })).not.toThrow();
    expect(() => checkLmScale(lmScales.quick, presets.small, budget)).not.toThrow();
    for (const contexts of [[1000], [2048, 1024], [16], []]) {
      expect(() => checkLmScale({ ...lmScales.full, contexts }, presets.small, budget)).toThrow(ConfigError);
    }
    expect(() => checkLmScale({ ...lmScales.full, contexts: [1000] }, presets.small, budget)).toThrow(/multiples of chunkSize 16, each at least windowLen 32.*\[1000\]/);
    // 1 checked push + 2 warm-up + 125 timed = 128: the last one would commit the segment.
    expect(() => checkLmScale(lmScales.full, presets.small, { ...budget, warmupRuns: 2, maxRuns: 125 })).toThrow(/at most 126 warm-up and timed pushes/);
    expect(() => checkLmScale(lmScales.full, presets.small, { ...budget, warmupRuns: 2, maxRuns: 124 })).not.toThrow();
  });
});

describe('generation helpers', () => {
  it('count the keys a query attends and build the matched full-attention model at each context', () => {
    const next = uniform(7);
    for (let trial = 0; trial < 5; trial++) {
      const chunkSize = [4, 8, 16][Math.floor(next() * 3)];
      const config = { ...presets.small, chunkSize, chunkRank: 1 + Math.floor(next() * 3), windowLen: chunkSize * (1 + Math.floor(next() * 4)) };
      const context = chunkSize * (8 + Math.floor(next() * 1000));
      expect(attendedKeys(config, 'long-short', context)).toBe(config.windowLen + (context / chunkSize) * config.chunkRank);
      expect(attendedKeys(config, 'full', context)).toBe(context + 1);
      const full = decodeConfig(config, 'full', context);
      expect(full).toMatchObject({ attention: 'full', memLen: context, dModel: config.dModel, nLayer: config.nLayer });
      expect(decodeConfig(config, 'long-short', context)).toEqual({ ...config, memLen: context });
      // Nearly equal parameters: within one feed-forward unit per layer.
      expect(Math.abs(parameterCount(full) - parameterCount(config))).toBeLessThanOrEqual(config.nLayer * (2 * config.dModel + 1));
    }
  });

  it('take the cost ratio between the largest and the smallest context, in any order', () => {
    const next = uniform(3);
    const points = [65_536, 1024, 8192].map((context) => ({ context, ms: 0.5 + next() * 10 }));
    expect(costRatio(points)).toEqual({ from_context: 1024, to_context: 65_536, ratio: points[0].ms / points[1].ms });
    expect(costRatio(points.slice(0, 1))).toBeNull();
  });

  it('apply the budget rule of measure(): at least minRuns and minTimeMs, at most maxRuns', () => {
    const rule = { warmupRuns: 0, minRuns: 2, minTimeMs: 100, maxRuns: 4, slowRunMs: Infinity };
    expect(wantsMoreRuns([], rule)).toBe(true);
    expect(wantsMoreRuns([200], rule)).toBe(true);
    expect(wantsMoreRuns([20, 30], rule)).toBe(true);
    expect(wantsMoreRuns([60, 50], rule)).toBe(false);
    expect(wantsMoreRuns([1, 1, 1, 1], rule)).toBe(false);
  });
});

/** A report with a result, an error and a skip in it. */
function sampleReport(): LmReport {
  const config = { ...presets.small, vocabSize: 85 };
  const full = decodeConfig(config, 'full', config.memLen);
  const decode = (context: number, ms: number) => ({ ...stats(ms), build_ms: context / 100 });
  return {
    suite: 'lm', timestamp: '2026-01-01T00:00:00.000Z', commit: null,
    machine: { cpus: 2, cpu_model: 'test', platform: 'linux', arch: 'x64', node: 'v20', total_memory_gib: 8 },
    load_average: { start: 0, end: 0 }, scale: lmScales.full, budget,
    corpus: { name: 'brown', vocab_size: 85, train_chars: 1000, valid_chars: 100 },
    models: { 'long-short': { config, parameters: parameterCount(config) }, full: { config: full, parameters: parameterCount(full) } },
    definitions: {},
    training_throughput: [
      { backend: 'cpu', device: 'cpu (wasm-simd)', threads: 2, fused_attention: 'registered', software: false,
        result: { ...stats(3000), batch_size: 16, segment_length: 128, tokens_per_second: 2048 / 3, warmup_steps: 1, stopped: null, last_loss_bpc: 4 } },
      { backend: 'webgpu', device: 'SwiftShader driver 5.0.0', threads: null, fused_attention: null, software: true, result: { error: 'device lost' } },
    ],
    generation: {
      series: [
        { context: 1024, method: 'long-short', attended_keys: 96, result: decode(1024, 5) },
        { context: 1024, method: 'full', attended_keys: 1025, result: decode(1024, 10) },
        { context: 65_536, method: 'long-short', attended_keys: 4128, result: decode(65_536, 40) },
        { context: 65_536, method: 'full', attended_keys: 65_537, result: { skipped: 'not run' } },
      ],
      ratios: { 'long-short': { from_context: 1024, to_context: 65_536, ratio: 8 }, full: null },
    },
    bpc: {
      'long-short': { parameters: 1, steps: 3, tokens: 6144, train_seconds: 9, tokens_per_second: 682, train_bpc: [6, 5, 4], valid_chars: 30_000, bpc: 3.9, eval_seconds: 10 },
      full: { error: 'out of memory' },
    },
    notes: [],
  };
}

describe('lm report', () => {
  it('formats tables with results, errors, skips and the software label', () => {
    const table = formatLmTable(sampleReport());
    expect(table).toMatch(/^backend\s+device\s+threads\s+fused attention/);
    expect(table).toMatch(/cpu\s+cpu \(wasm-simd\)\s+2\s+registered\s+16×128\s+3 \(\+1\)\s+3000\s+2700–3300\s+682\.7/);
    expect(table).toMatch(/webgpu\s+SwiftShader driver 5\.0\.0 \(software: no target\).*error: device lost/);
    expect(table).toMatch(/64K\s+long-short\s+4128\s+655\s+3\s+40\.00\s+36\.00–44\.00/);
    expect(table).toMatch(/64K\s+full\s+65537.*skipped: not run/);
    expect(table).toMatch(/long-short\s+cost\(64K\) ÷ cost\(1K\)\s+8\.00/);
    expect(table).toMatch(/full\s+fewer than two measured contexts/);
    expect(table).toMatch(/long-short\s+\d+\s+3\s+6144\s+9\.0\s+682\s+30000\s+3\.900/);
    expect(table).toMatch(/full\s+\d+.*error: out of memory/);
  });

  it('fails on an error outcome only', () => {
    const report = sampleReport();
    expect(lmFailed(report)).toBe(true);
    report.training_throughput[1].result = { skipped: 'WebGPU unavailable' };
    report.bpc.full = { ...(report.bpc['long-short'] as object) } as LmReport['bpc']['full'];
    expect(lmFailed(report)).toBe(false);
  });

  it('charts measured ms/token against the context and each learning curve with its validation point', () => {
    const report = sampleReport();
    const { generation, bpc } = lmCharts(report);
    expect(generation[0].series.map((s) => s.points)).toEqual([[[1024, 5], [65_536, 40]], [[1024, 10]]]);
    expect(generation[0].x.base).toBe(2);
    expect(bpc[0].series).toHaveLength(2);
    expect(bpc[0].series[0].points).toEqual([[2048, 6], [4096, 5], [6144, 4]]);
    expect(bpc[0].series[1]).toMatchObject({ name: expect.stringContaining('validation BPC 3.900'), points: [[6144, 3.9]] });
    const svg = chartsSvg([...generation, ...bpc]);
    expect(svg).toContain('data-name="long-short (W + memLen/ℓ·r keys)"');
    expect(svg).toContain('data-name="long-short training loss"');
  });
});

describe('lm suite at tiny sizes', () => {
  const next = uniform(11);
  const words = ['the', 'long', 'short', 'model', 'reads', 'a', 'text', 'of', 'words', 'and'];
  const text = Array.from({ length: 9000 }, () => words[Math.floor(next() * words.length)]).join(' ');
  const corpus = corpusFromBytes('tiny', new TextEncoder().encode(text));
  const config = { ...presets.small, vocabSize: corpus.vocab.size, dModel: 16, dInner: 32, nHead: 2, nLayer: 1, memLen: 32, chunkSize: 8, windowLen: 16 };

  it('ends the warm-up and the timing of training steps early once the time cap has passed', async () => {
    const shape = { batchSize: 2, segmentLength: 16, lr: 2e-3, gradClip: 1 };
    const capped = await measureTrainingThroughput(corpus, config, shape, { ...budget, warmupRuns: 3 }, 0);
    expect(capped).toMatchObject({ runs: 1, warmup_steps: 1, stopped: expect.stringContaining('the 0 s cap was reached after 1 timed step') });
    expect(capped.tokens_per_second).toBeCloseTo(32 / (capped.median_ms / 1000), 6);
    expect(await measureTrainingThroughput(corpus, config, shape, budget, Infinity)).toMatchObject({ runs: 3, warmup_steps: 1, stopped: null });
  });

  it('measures training, generation and BPC of both models, and records WebGPU as skipped', async () => {
    const scale = { throughput: { batchSize: 2, segmentLength: 16, capSeconds: 60 }, contexts: [32, 128], decodeSegment: 32, bpc: { trainSeconds: 0.5, validChars: 300 } };
    const before = getBackend();
    const report = await runLmSuite({ scale, budget, corpus, config, createWebGPU: () => Promise.reject(new Error('no adapter here')) });
    expect(getBackend()).toBe(before);
    const [cpu, webgpu] = report.training_throughput;
    expect(cpu).toMatchObject({ backend: 'cpu', fused_attention: 'registered', software: false, result: { runs: 3, batch_size: 2, segment_length: 16, warmup_steps: 1, stopped: null } });
    expect(webgpu.result).toEqual({ skipped: 'WebGPU unavailable: no adapter here' });
    expect(report.generation.series.map((p) => [p.context, p.method, p.attended_keys])).toEqual([[32, 'long-short', 20], [32, 'full', 33], [128, 'long-short', 32], [128, 'full', 129]]);
    for (const point of report.generation.series) expect(point.result).toMatchObject({ runs: 3, build_ms: expect.any(Number) });
    for (const method of decodeMethods) {
      expect(report.generation.ratios[method]).toMatchObject({ from_context: 32, to_context: 128 });
      const result = report.bpc[method];
      if (!isResult(result)) throw new Error(`expected a BPC result, got ${JSON.stringify(result)}`);
      expect(result.parameters).toBe(report.models[method].parameters);
      expect(result.valid_chars).toBe(300);
      expect(result.steps).toBe(result.train_bpc.length);
      expect(result.tokens).toBe(result.steps * 16 * 128);
      expect(result.bpc).toBeGreaterThan(0);
    }
    expect(report.models.full.config.attention).toBe('full');
    expect(lmFailed(report)).toBe(false);
  });
});

describe('bench lm arguments', () => {
  const benchRoot = join(import.meta.dirname, '..', '..');
  const cli = (args: string[]) => execFileSync(process.execPath, ['--conditions=@longshort/source', '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: benchRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });

  it('rejects --libs and a --json without a file with exit status 2 and the usage', () => {
    expect(() => cli(['lm', '--libs', 'tfjs-cpu'])).toThrow(expect.objectContaining({ status: 2, stderr: expect.stringContaining('--libs applies to the matmul suite only') }));
    expect(() => cli(['lm', '--json'])).toThrow(expect.objectContaining({ status: 2, stderr: expect.stringContaining('pnpm bench lm [--json <file>] [--quick]') }));
  });
});
