import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, ShapeError, fromArray, getBackend, memory } from '@longshort/tensor';
import { loadFixture } from '@longshort/tensor/testing';
import { describe, expect, it } from 'vitest';
import { fixtureHandler } from '../testing/fixture-handler.js';
import { LongShortAttention2D, relativePositionIndex2D, relativePositionTableRows2D } from './two-d.js';

describe('LongShortAttention2D', () => {
  it('reproduces the authors\' vision-attn fixture: outputs within 1e-4, gradients within 1e-3', async () => {
    const path = fileURLToPath(new URL('../../../../fixtures/reference/vision-attn.safetensors', import.meta.url));
    const fixture = loadFixture(readFileSync(path));
    const { outputs, gradients } = await fixtureHandler.run(fixture, getBackend());
    for (const o of outputs) expect(o.relError, o.name).toBeLessThan(1e-4);
    expect(gradients.map((g) => g.name)).toContain('grad.local_relative_position_bias_table');
    for (const g of gradients) expect(g.relError, g.name).toBeLessThan(1e-3);
    // The recomputed index equals the authors' buffer, collisions included (spec C.4).
    expect(Array.from(relativePositionIndex2D(4))).toEqual(Array.from(await fixture.tensors.get('relative_position_index')!.data()));
    for (const t of fixture.tensors.values()) t.dispose();
  });

  it('has the table sizes of the released models (253 rows for w = 7, 375 for w = 8)', () => {
    expect(relativePositionTableRows2D(7)).toBe(253);
    expect(relativePositionTableRows2D(8)).toBe(375);
  });

  it('reproduces the index collisions of the authors\' table', () => {
    const index = relativePositionIndex2D(4); // w_p = 2, T_p = 8, row stride 2w_p + w = 8
    const rows = new Set(index);
    expect(rows.size).toBeLessThan(15 * 15); // fewer distinct rows than distinct 2-D offsets
  });

  it('rejects a grid that the window does not divide and bad configs', () => {
    const module = new LongShortAttention2D({ dim: 8, numHeads: 2, numGlobal: 1, rank: 2, window: 4 });
    const x = fromArray(new Float32Array((1 + 36) * 8), [1, 37, 8]);
    expect(() => module.forward(x, 6)).toThrow(ShapeError);
    expect(() => module.forward(x, 6)).toThrow(/multiple of the window 4/);
    expect(() => new LongShortAttention2D({ dim: 8, numHeads: 3, numGlobal: 1, rank: 2, window: 4 })).toThrow(ConfigError);
    x.dispose();
    module.dispose();
  });

  it('frees every intermediate', () => {
    const module = new LongShortAttention2D({ dim: 8, numHeads: 2, numGlobal: 1, rank: 2, window: 2 });
    const x = fromArray(new Float32Array((1 + 16) * 8).fill(0.25), [1, 17, 8]);
    const before = memory().liveTensors;
    module.forward(x, 4).dispose();
    expect(memory().liveTensors).toBe(before);
    x.dispose();
    module.dispose();
  });
});
