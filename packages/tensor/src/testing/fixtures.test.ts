// loadFixture on a committed reference fixture (kind, config, dtypes, a zero-size tensor) and on
// malformed metadata; compareToFixture's relative error and its errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, FileFormatError, ShapeError } from '../errors/index.js';
import { encodeRaw } from '../io/raw-tensor.js';
import { serializeSafetensors } from '../io/safetensors.js';
import { fromArray } from '../ops/creation/creation.js';
import { memory } from '../memory-api.js';
import { compareToFixture, loadFixture } from './fixtures.js';

const reference = join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'reference');
const tiny = (metadata: Record<string, string>) =>
  serializeSafetensors({ 'output.y': encodeRaw('f32', [1, -2, 4], [3]), 'input.mask': encodeRaw('bool', [1, 0, 1], [3]) }, metadata);

describe('loadFixture', () => {
  it('loads a reference fixture: kind, parsed config, metadata and every tensor', async () => {
    const fixture = loadFixture(readFileSync(join(reference, 'bidir-window-only.safetensors')));
    expect(fixture.kind).toBe('bidirectional-attention');
    expect(fixture.config).toMatchObject({ seq_len: 48, dim: 24, num_heads: 3, window_size: 6, num_landmarks: 0 });
    expect(fixture.metadata.reference).toMatch(/AttentionLS/);
    const x = fixture.tensors.get('input.x')!;
    expect([x.dtype, x.shape]).toEqual(['f32', [1, 48, 24]]);
    expect(fixture.tensors.get('input.mask')!.dtype).toBe('i32');
    expect(fixture.tensors.get('dconv_fc.weight')!.shape).toEqual([0, 24]);
    const y = await fixture.tensors.get('output.y')!.data();
    expect(y.length).toBe(48 * 24);
    expect(y.some((v) => v !== 0)).toBe(true);
    for (const tensor of fixture.tensors.values()) tensor.dispose();
  });

  it('throws FileFormatError for a missing kind, a config that is not JSON, or a broken file', () => {
    const live = memory().liveTensors;
    expect(() => loadFixture(tiny({ config: '{}' }))).toThrow(FileFormatError);
    expect(() => loadFixture(tiny({ config: '{}' }))).toThrow("metadata lacks 'kind'");
    expect(() => loadFixture(tiny({ kind: 'k', config: '{oops' }))).toThrow("metadata 'config' is not JSON");
    expect(() => loadFixture(new Uint8Array([1, 2, 3]))).toThrow(FileFormatError);
    expect(memory().liveTensors).toBe(live);
  });
});

describe('compareToFixture', () => {
  it('returns max|a − b| / max|b| under the fixture name', async () => {
    const fixture = loadFixture(tiny({ kind: 'k' }));
    expect(fixture.config).toEqual({});
    const close = fromArray([1, -2, 4.4], [3]);
    expect(await compareToFixture(fixture, 'output.y', close)).toEqual({ name: 'output.y', relError: expect.closeTo(0.1, 6) });
    await expect(compareToFixture(fixture, 'output.z', close)).rejects.toThrow(ConfigError);
    await expect(compareToFixture(fixture, 'output.y', fromArray([1, 2], [2]))).rejects.toThrow(ShapeError);
    await expect(compareToFixture(fixture, 'output.y', fromArray([1, 2], [2]))).rejects.toThrow('expected (3,), got (2,)');
  });
});
