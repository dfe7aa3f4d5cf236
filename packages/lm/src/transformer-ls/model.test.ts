import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getBackend } from '@longshort/tensor';
import { loadFixture } from '@longshort/tensor/testing';
import { describe, expect, it } from 'vitest';
import { fixtureHandler } from '../testing/fixture-handler.js';
import { parameterCount, presets } from './config.js';

describe('TransformerLSModel', () => {
  it('reproduces the authors\' causal-lm fixture (log-probs, losses, memories, last-segment gradients)', async () => {
    const path = fileURLToPath(new URL('../../../../fixtures/reference/causal-lm-small.safetensors', import.meta.url));
    const fixture = loadFixture(readFileSync(path));
    const { outputs, gradients } = await fixtureHandler.run(fixture, getBackend());
    expect(outputs.length).toBe(2 * (2 + 2));
    for (const o of outputs) expect(o.relError, o.name).toBeLessThan(1e-4);
    expect(gradients.length).toBeGreaterThan(40);
    for (const g of gradients) expect(g.relError, g.name).toBeLessThan(1e-3);
    for (const t of fixture.tensors.values()) t.dispose();
  });

  it('counts parameters as the spec does for the authors\' enwik8 configurations', () => {
    // spec B.9: 3,682,312 per layer; 12 layers ≈ 44.29M and 30 layers ≈ 110.58M with V = 208.
    const perLayer = parameterCount({ ...presets.enwik8Base, nLayer: 1, vocabSize: 1 }) - 512 - 1;
    expect(perLayer).toBe(3_682_312);
    expect(parameterCount(presets.enwik8Base) / 1e6).toBeCloseTo(44.29, 2);
    expect(parameterCount(presets.enwik8Large) / 1e6).toBeCloseTo(110.58, 2);
  });
});
