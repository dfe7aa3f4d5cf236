import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../errors/index.js';
import { encodeRaw } from '../raw-tensor.js';
import { unpickle } from './pickle.js';
import { flattenStateDict } from './state-dict.js';

const tensor = (value: number) => ({ __tensor__: encodeRaw('f32', [value], [1]) });

describe('flattenStateDict', () => {
  it('joins dict keys and list indices, walking placeholders without a segment', () => {
    const shared = tensor(1);
    const root = new Map<unknown, unknown>([
      ['model', new Map<unknown, unknown>([['a.weight', shared], ['tied', shared], [0, tensor(2)]])],
      ['history', [tensor(3), { __global__: 'argparse.Namespace', state: new Map([['t', tensor(4)]]) }]],
      [['tuple', 'key'], tensor(5)],
      ['n', 7],
    ]);
    const flat = flattenStateDict(root);
    expect([...flat.keys()]).toEqual(['model.a.weight', 'model.tied', 'model.0', 'history.0', 'history.1.t']);
    expect(flat.get('model.tied')).toBe(flat.get('model.a.weight'));
  });

  it('selects by prefix and strips a key prefix', () => {
    const root = new Map<string, unknown>([['model', new Map([['module.x', tensor(1)], ['y', tensor(2)]])], ['other', tensor(3)]]);
    expect([...flattenStateDict(root, { prefix: 'model' }).keys()]).toEqual(['module.x', 'y']);
    expect([...flattenStateDict(root, { prefix: 'model.' }).keys()]).toEqual(['module.x', 'y']);
    expect([...flattenStateDict(root, { prefix: 'model', stripPrefix: 'module.' }).keys()]).toEqual(['x', 'y']);
    expect([...flattenStateDict(root, { prefix: '' }).keys()]).toEqual(['model.module.x', 'model.y', 'other']);
  });

  it('rejects two tensors under one key', () => {
    const root = new Map<string, unknown>([['a.b', tensor(1)], ['a', new Map([['b', tensor(2)]])]]);
    expect(() => flattenStateDict(root)).toThrow(FileFormatError);
    expect(() => flattenStateDict(root)).toThrow('pytorch: state dict key "a.b" is ambiguous; expected one tensor under it, got two (from "a.b" and an earlier path).');
  });

  it('handles cyclic and very deeply nested pickles', () => {
    const cyclic = unpickle(Uint8Array.of(0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e)) as unknown[];
    expect(cyclic[0]).toBe(cyclic);
    expect(flattenStateDict(cyclic).size).toBe(0);
    const depth = 200_000;
    const deep = new Uint8Array(2 * depth + 1);
    deep.fill(0x28, 0, depth); // MARK
    deep.fill(0x6c, depth, 2 * depth); // LIST
    deep[2 * depth] = 0x2e; // STOP
    expect(flattenStateDict(unpickle(deep)).size).toBe(0);
  });
});
